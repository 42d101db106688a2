/* Research exports: while an export is queued or being made, ask for its status every 2 s and
   move its progress bar. When one changes status (starts, is ready, fails), the server's fresh
   list takes the old one's place, so the download link or "Try again" appears without a
   reload, and a screen reader hears that it is ready. Without JavaScript a reload shows the
   same list. */
(function () {
  "use strict";
  var POLL_MS = 2000;
  if (!document.getElementById("exports")) { return; }
  var news = document.getElementById("exports-news");
  var percent = new Intl.NumberFormat(document.documentElement.lang || "da", { style: "percent", maximumFractionDigits: 0 });

  function unfinished() {
    var list = document.getElementById("exports");
    return list ? Array.prototype.slice.call(list.querySelectorAll("[data-status-url]")) : [];
  }

  function fetchOk(url, accept) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: accept } }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response;
    });
  }

  /* Move the bar; answer the job's new status if it has changed (the list must be redrawn). */
  function show(item) {
    return fetchOk(item.dataset.statusUrl, "application/json")
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.status !== item.dataset.status) { return job.status; }
        var bar = item.querySelector("progress");
        var text = item.querySelector("[data-percent]");
        if (job.status === "running" && bar) {
          bar.value = job.progress;
          if (text) { text.textContent = percent.format(job.progress / 100); }
        }
        return null;
      });
  }

  function redraw(statuses) {
    return fetchOk(window.location.pathname, "text/html")
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        ["exports", "exports-reload"].forEach(function (id) {
          var fresh = page.getElementById(id);
          var old = document.getElementById(id);
          if (old && fresh) { old.replaceWith(document.importNode(fresh, true)); }
          else if (old) { old.remove(); }
        });
        var finished = statuses.indexOf("failed") >= 0 ? "Failed" : statuses.indexOf("done") >= 0 ? "Done" : null;
        if (news && finished) { news.textContent = news.dataset["msg" + finished] || ""; }
      });
  }

  function poll() {
    var items = unfinished();
    if (!items.length) { return; }
    Promise.all(items.map(show))
      .then(function (changes) {
        var statuses = changes.filter(Boolean);
        return statuses.length ? redraw(statuses) : null;
      })
      .then(function () { window.setTimeout(poll, POLL_MS); },
            function () { window.setTimeout(poll, POLL_MS * 3); });
  }

  if (unfinished().length) { window.setTimeout(poll, POLL_MS); }
}());
