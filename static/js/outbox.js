/* Page side of the offline outbox: the unsent counter, when to replay, the log-meeting form,
   the offline list (/app) and the warning before logging out with unsent entries. */
(function () {
  "use strict";
  var Outbox = window.JournalOutbox;
  if (!Outbox || !window.indexedDB) { return; }
  var body = document.body;
  var status = document.getElementById("outbox-status");
  var text = function (key) { return (status && status.dataset[key]) || ""; };
  var replaying = null;

  function say(message) {
    var box = document.getElementById("outbox-message");
    if (box) { box.textContent = message; box.hidden = !message; }
  }

  function refreshCount() {
    return Outbox.count().then(function (n) {
      var counter = document.getElementById("outbox-count");
      if (counter) { counter.textContent = String(n); }
      if (status) { status.classList.toggle("outbox-pending", n > 0); }
      return n;
    });
  }

  function replay() {
    if (replaying) { return replaying; }
    replaying = Outbox.replay().then(function (summary) {
      if (summary.status === "login") { say(text("msgLogin")); }
      else if (summary.failed) { say(text("msgFailed")); }
      else if (summary.sent) { say(text("msgSent")); }
      return refreshCount().then(function () { renderApp(); return summary; });
    }, function () { return { status: "error" }; }).then(function (summary) {
      replaying = null;
      return summary;
    });
    return replaying;
  }

  /* --- who is logged in, and their CSRF token (kept for Background Sync) --- */
  var ready = Promise.resolve();
  if (body.dataset.user) {
    ready = Promise.all([
      Outbox.setMeta("user", Number(body.dataset.user)),
      Outbox.setMeta("csrf", body.dataset.csrf || "")
    ]).then(function () {
      if (!navigator.onLine) { return null; }
      return fetch("/api/v1/sync/citizens", { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (answer) {
        return answer ? Outbox.saveCitizens(answer.items).then(function () {
          return Outbox.setMeta("synced_at", new Date().toISOString());
        }) : null;
      }, function () { return null; });
    });
  }

  /* --- the log-meeting form: into the outbox first, then try to send --- */
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 15) | 64; bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function citizenId(form) {
    if (form.dataset.citizen) { return Number(form.dataset.citizen); }
    var match = location.pathname.match(/\/citizens\/(\d+)\//);
    return match ? Number(match[1]) : null;
  }

  function value(form, name) {
    var field = form.elements[name];
    if (!field) { return ""; }
    if (field instanceof RadioNodeList) { return field.value || ""; }
    return (field.value || "").trim();
  }

  /* The same body journal/web/forms.py builds from a posted form. */
  function meetingBody(form) {
    var data = {
      id: value(form, "id"),
      held_on: value(form, "held_on"),
      mode: value(form, "mode"),
      participants: Array.prototype.map.call(form.querySelectorAll("input[name=participants]:checked"), function (box) { return box.value; }),
      expectations: []
    };
    ["note", "reflection_usual", "reflection_different", "citizen_explanation"].forEach(function (name) {
      if (value(form, name)) { data[name] = value(form, name); }
    });
    if (value(form, "own_value") !== "") {
      var own = { id: value(form, "own_id"), source: "worker", value: Number(value(form, "own_value")), confidence: value(form, "own_confidence") || "medium" };
      if (value(form, "own_basis")) { own.basis = value(form, "own_basis"); }
      data.expectations.push(own);
    }
    for (var i = 0; form.elements["c" + i + "_source"]; i += 1) {
      var source = value(form, "c" + i + "_source");
      var rating = value(form, "c" + i + "_value");
      if (!source && rating === "") { continue; }
      var entry = { id: value(form, "c" + i + "_id"), source: source, value: rating === "" ? null : Number(rating), confidence: value(form, "c" + i + "_confidence") || "medium" };
      if (value(form, "c" + i + "_label")) { entry.source_label = value(form, "c" + i + "_label"); }
      data.expectations.push(entry);
    }
    return data;
  }

  function freshIds(form) {
    Array.prototype.forEach.call(form.querySelectorAll("input[type=hidden][name=id], input[type=hidden][name$=_id]"), function (input) {
      input.value = uuid();
    });
  }

  var form = document.getElementById("meeting-form");
  if (form) {
    Array.prototype.forEach.call(form.querySelectorAll("input[type=hidden][name=id], input[type=hidden][name$=_id]"), function (input) {
      if (!input.value) { input.value = uuid(); }
    });
    var refSlot = document.getElementById("shell-case-ref");
    if (refSlot) {
      Outbox.citizens().then(function (list) {
        var mine = list.filter(function (c) { return c.id === citizenId(form); })[0];
        refSlot.textContent = mine ? mine.case_ref : "#" + citizenId(form);
      });
    }
    form.addEventListener("submit", function (event) {
      if (!form.querySelector("input[name=own_value]:checked")) { return; } // the server explains
      event.preventDefault();
      var data = meetingBody(form);
      var id = citizenId(form);
      ready.then(function () { return Outbox.getMeta("user"); }).then(function (user) {
        return Outbox.add({ id: data.id, op: "create_meeting", citizen_id: id, data: data, user_id: user || null });
      }).then(function () {
        if (navigator.storage && navigator.storage.persist) { navigator.storage.persist(); }
        registerBackgroundSync();
        return refreshCount();
      }).then(replay).then(function () {
        return Outbox.items();
      }).then(function (items) {
        var item = items.filter(function (it) { return it.id === data.id; })[0];
        if (!item) {  // sent: the server has it
          location.href = "/citizens/" + id + "?saved=" + encodeURIComponent(data.id) + "#result";
          return null;
        }
        if (item.state === "failed" && item.result.status === "invalid" && navigator.onLine && body.dataset.csrf) {
          // let the server show what is wrong, next to the fields
          return Outbox.remove(item.id).then(function () { form.submit(); });
        }
        say(item.state === "failed" ? text("msgFailed") : text("msgSavedOffline"));
        form.reset();
        freshIds(form);
        form.dispatchEvent(new Event("journal:reset"));
        window.scrollTo(0, 0);
        return null;
      });
    });
  }

  function registerBackgroundSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register("outbox"); }
      return null;
    })["catch"](function () { return null; });
  }

  /* --- the offline list (/app) --- */
  function renderApp() {
    var list = document.getElementById("offline-citizens");
    var queue = document.getElementById("offline-queue");
    if (!list && !queue) { return; }
    Promise.all([Outbox.citizens(), Outbox.items()]).then(function (got) {
      var refs = {};
      got[0].forEach(function (c) { refs[c.id] = c.case_ref; });
      if (list) {
        list.textContent = "";
        got[0].sort(function (a, b) { return a.case_ref < b.case_ref ? -1 : 1; }).forEach(function (c) {
          var li = document.createElement("li");
          li.className = "card" + (c.clash ? " card-clash" : "");
          var a = document.createElement("a");
          a.className = "card-link";
          a.href = "/citizens/" + c.id + "/meetings/new";
          a.textContent = c.case_ref + (c.worker_value === null || c.worker_value === undefined ? "" : " · " + c.worker_value);
          li.appendChild(a);
          list.appendChild(li);
        });
        var empty = document.getElementById("offline-empty");
        if (empty) { empty.hidden = got[0].length > 0; }
      }
      if (queue) {
        queue.textContent = "";
        got[1].forEach(function (item) {
          var li = document.createElement("li");
          li.className = "queue-item" + (item.state === "failed" ? " queue-failed" : "");
          li.dataset.state = item.state;
          var label = (refs[item.citizen_id] || "#" + item.citizen_id) + " · " + (item.data.held_on || "");
          li.appendChild(document.createTextNode(label + " · " + (item.state === "failed" ? text("labelFailed") + " (" + item.result.status + ")" : text("labelQueued"))));
          if (item.state === "failed") {
            var why = document.createElement("pre");
            why.className = "queue-why";
            why.textContent = item.result.message || JSON.stringify(item.result.errors || {});
            li.appendChild(why);
            var discard = document.createElement("button");
            discard.type = "button";
            discard.textContent = text("labelDiscard");
            discard.addEventListener("click", function () {
              if (window.confirm(text("msgDiscard"))) { Outbox.remove(item.id).then(refreshCount).then(renderApp); }
            });
            li.appendChild(discard);
          }
          queue.appendChild(li);
        });
      }
    });
  }

  /* --- logging out with unsent entries asks first, then clears the phone --- */
  Array.prototype.forEach.call(document.querySelectorAll("form[action='/logout']"), function (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      Outbox.count().then(function (n) {
        if (n > 0 && !window.confirm(text("msgLogout").replace("{n}", String(n)))) { return null; }
        return Outbox.clear().then(function () { logout.submit(); });
      });
    });
  });

  /* --- when to replay: now, when the network returns, on request --- */
  var syncButton = document.getElementById("sync-now");
  if (syncButton) { syncButton.addEventListener("click", function () { say(""); replay(); }); }
  window.addEventListener("online", function () { replay(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" })["catch"](function () { return null; });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data === "outbox-changed") { refreshCount().then(renderApp); }
    });
  }
  if (body.dataset.user && navigator.storage && navigator.storage.persist) {
    navigator.storage.persist()["catch"](function () { return null; });  // ask once per page; browsers remember
  }
  refreshCount();
  renderApp();
  ready.then(function () { return navigator.onLine ? replay() : null; });

  window.JournalOutboxPage = { replay: replay, refreshCount: refreshCount };
}());
