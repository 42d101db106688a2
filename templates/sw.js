/* Forventningsjournal service worker (version {{ version }}).
   Caches the app shell and static files (never case data), serves the offline list and the
   offline log-meeting form when the network is gone, and replays the outbox on Background
   Sync where the browser has it. Rendered by journal/web/pwa.py. */
"use strict";
var VERSION = "{{ version }}";
var SHELL = "journal-shell-" + VERSION;
var PRECACHE = {{ precache|tojson }};

importScripts("{{ url_for('static', filename='js/outbox-core.js') }}?v=" + VERSION);

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(PRECACHE.map(function (url) { return new Request(url, { credentials: "same-origin" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("journal-") === 0 && key !== SHELL;
    }).map(function (key) { return caches["delete"](key); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage(url) {
  return /^\/citizens\/\d+\/meetings\/new$/.test(url.pathname) ? "/app/meeting" : "/app";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/api/") === 0) { return; }  // always the network; the outbox handles failure
  if (request.mode === "navigate") {
    event.respondWith(fetch(request)["catch"](function () {
      return caches.match(offlinePage(url)).then(function (page) {
        return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/lexicon.json") {
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request, { ignoreSearch: true }).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
      });
    }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "outbox") { return; }
  event.waitUntil(self.JournalOutbox.replay().then(function () {
    return self.clients.matchAll().then(function (clients) {
      clients.forEach(function (client) { client.postMessage("outbox-changed"); });
    });
  }));
});
