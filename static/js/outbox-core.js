/* The offline outbox: IndexedDB storage and replay to POST /api/v1/sync.
   Used by pages (outbox.js) and by the service worker (Background Sync), so no DOM here.

   An item stays on the phone until the server answers `created` or `duplicate` for it.
   `invalid`, `conflict`, `forbidden` and `not_found` mark it as failed, with the server's
   reason, for the worker to fix or discard: nothing is ever dropped silently. Network
   errors, 5xx and 401 leave items queued for the next replay. */
(function (root) {
  "use strict";
  var DB_NAME = "forventningsjournal";
  var BATCH = 100;
  var KEEP = { created: false, duplicate: false };

  function promisify(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open() {
    var request = root.indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = function () {
      var db = request.result;
      db.createObjectStore("outbox", { keyPath: "id" });
      db.createObjectStore("citizens", { keyPath: "id" });
      db.createObjectStore("meta");
    };
    return promisify(request);
  }

  function withStore(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result = work(tx.objectStore(name));
        tx.oncomplete = function () {
          db.close();
          resolve(result && result.then ? result : (result && "result" in result ? result.result : result));
        };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all(name) {
    return withStore(name, "readonly", function (store) { return store.getAll(); });
  }

  var Outbox = {
    add: function (item) {
      item.state = "queued";
      item.queued_at = new Date().toISOString();
      return withStore("outbox", "readwrite", function (store) { store.put(item); });
    },
    items: function () {
      return all("outbox").then(function (items) {
        return items.sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
      });
    },
    remove: function (id) {
      return withStore("outbox", "readwrite", function (store) { store["delete"](id); });
    },
    update: function (item) {
      return withStore("outbox", "readwrite", function (store) { store.put(item); });
    },
    count: function () {
      return withStore("outbox", "readonly", function (store) { return store.count(); });
    },
    getMeta: function (key) {
      return withStore("meta", "readonly", function (store) { return store.get(key); });
    },
    setMeta: function (key, value) {
      return withStore("meta", "readwrite", function (store) { store.put(value, key); });
    },
    saveCitizens: function (list) {
      return withStore("citizens", "readwrite", function (store) {
        store.clear();
        list.forEach(function (citizen) {
          // only what may live on a phone: the case ref and the worker's current view
          store.put({ id: citizen.id, case_ref: citizen.case_ref, worker_value: citizen.worker_value, clash: citizen.clash });
        });
      });
    },
    citizens: function () { return all("citizens"); },
    clear: function () {
      return Promise.all(["outbox", "citizens", "meta"].map(function (name) {
        return withStore(name, "readwrite", function (store) { store.clear(); });
      }));
    },

    /* Send the queued items of the current user. Resolves to a summary:
       {sent, failed, left, status} where status is "ok", "offline", "login" or "error". */
    replay: function () {
      var summary = { sent: 0, failed: 0, left: 0, status: "ok" };
      return Promise.all([Outbox.items(), Outbox.getMeta("user"), Outbox.getMeta("csrf")]).then(function (got) {
        var user = got[1];
        var queued = got[0].filter(function (item) { return item.state === "queued" && (!user || item.user_id === user); });
        summary.left = queued.length;
        if (!queued.length) { return summary; }
        var batches = [];
        for (var i = 0; i < queued.length; i += BATCH) { batches.push(queued.slice(i, i + BATCH)); }
        return batches.reduce(function (chain, batch) {
          return chain.then(function () {
            if (summary.status !== "ok") { return summary; }
            return sendBatch(batch, got[2], summary);
          });
        }, Promise.resolve()).then(function () { return summary; });
      });
    }
  };

  function sendBatch(batch, csrf, summary) {
    var body = { items: batch.map(function (item) { return { op: item.op, citizen_id: item.citizen_id, data: item.data }; }) };
    return root.fetch("/api/v1/sync", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 401) { summary.status = "login"; return null; }
      if (!response.ok) { summary.status = "error"; summary.http = response.status; return null; }
      return response.json();
    }, function () {
      summary.status = "offline";
      return null;
    }).then(function (answer) {
      if (!answer) { return null; }
      return Promise.all(answer.results.map(function (result) {
        var item = batch[result.index];
        if (!item) { return null; }
        summary.left -= 1;
        if (result.status in KEEP) {
          summary.sent += 1;
          summary.last = { item: item, result: result };
          return Outbox.remove(item.id);
        }
        summary.failed += 1;
        item.state = "failed";
        item.result = { status: result.status, errors: result.errors || null, message: result.message || null };
        return Outbox.update(item);
      }));
    });
  }

  root.JournalOutbox = Outbox;
}(typeof self !== "undefined" ? self : this));
