/* On a phone the main navigation is one row that scrolls sideways (app.css, "header").
   Chromium only scrolls a focused link into view when little of it shows: keep the link that
   has the keyboard focus wholly in view. */
(function () {
  "use strict";
  var nav = document.querySelector("header .nav");
  if (!nav) { return; }
  nav.addEventListener("focusin", function (event) {
    event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
  });
}());
