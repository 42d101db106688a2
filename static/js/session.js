/* Sparring session: the phase timer, band words on the rating scale, and a quiet poll that
   reloads the page when the lead moves a phase on (so every phone follows along). */
(function () {
  "use strict";
  var root = document.getElementById("session");
  if (!root) { return; }

  var timer = document.getElementById("timer");
  if (timer) {
    var ends = Date.parse(timer.dataset.started) + Number(timer.dataset.minutes) * 60000;
    var tick = function () {
      var left = Math.round((ends - Date.now()) / 1000);
      if (left <= 0) {
        timer.textContent = timer.dataset.over;
        timer.classList.add("timer-over");
        return;
      }
      timer.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "radio" && target.dataset.band !== undefined) {
      var words = document.getElementById(target.name + "-words");
      if (words) { words.textContent = target.dataset.band; }
    }
  });

  function state(session) {
    return session.cases.map(function (c) { return c.phase; }).join(",") + "|" +
      session.cases.map(function (c) { return c.ratings_count; }).join(",");
  }

  var typing = false;
  document.addEventListener("input", function () { typing = true; });
  function poll() {
    fetch(root.dataset.pollUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (session) {
        if (session && state(session) !== root.dataset.state && !typing) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 3000);
      }, function () { window.setTimeout(poll, 6000); });
  }
  window.setTimeout(poll, 3000);
}());
