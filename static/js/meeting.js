/* Log meeting: rate alone first, then see and add collaborators' views.
   Progressive enhancement: without this script every field still works. */
(function () {
  "use strict";
  var form = document.getElementById("meeting-form");
  if (!form) { return; }
  var others = document.getElementById("others-body");
  var locked = document.getElementById("others-locked");
  var addButton = document.getElementById("add-row");
  var rows = Array.prototype.slice.call(form.querySelectorAll("fieldset.collab"));

  function ownRated() { return !!form.querySelector("input[name=own_value]:checked"); }

  function rowIsBlank(row) {
    return !row.querySelector("select").value && !row.querySelector("input[type=radio][name$=_value]:checked");
  }

  function showOthers() {
    var rated = ownRated();
    others.hidden = !rated;
    locked.hidden = rated;
  }

  function nextFreeRow() {
    for (var i = 0; i < rows.length; i += 1) {
      if (rows[i].hidden && rowIsBlank(rows[i])) { return rows[i]; }
    }
    return null;
  }

  function rowFor(source) {
    for (var i = 0; i < rows.length; i += 1) {
      if (!rows[i].hidden && rows[i].querySelector("select").value === source) { return rows[i]; }
    }
    return null;
  }

  function addRow(source) {
    var row = nextFreeRow();
    if (!row) { return null; }
    row.hidden = false;
    if (source) { row.querySelector("select").value = source; }
    addButton.hidden = !nextFreeRow();
    return row;
  }

  // Start with only the rows that hold something; the rest wait for "present" ticks.
  rows.forEach(function (row) { if (rowIsBlank(row)) { row.hidden = true; } });
  addButton.hidden = false;
  showOthers();

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "radio" && target.dataset.band !== undefined) {
      var words = document.getElementById(target.name + "-words");
      if (words) { words.textContent = target.dataset.band; }
    }
    if (target.name === "own_value") { showOthers(); }
    if (target.name === "participants") {
      var existing = rowFor(target.value);
      if (target.checked && !existing) {
        addRow(target.value);
      } else if (!target.checked && existing && rowIsBlankValue(existing)) {
        existing.querySelector("select").value = "";
        existing.hidden = true;
        addButton.hidden = false;
      }
    }
  });

  function rowIsBlankValue(row) {
    return !row.querySelector("input[type=radio][name$=_value]:checked") && !row.querySelector("input[name$=_label]").value;
  }

  form.addEventListener("journal:reset", function () {
    rows.forEach(function (row) { row.hidden = true; });
    Array.prototype.forEach.call(form.querySelectorAll("output.scale-words"), function (out) { out.textContent = ""; });
    addButton.hidden = false;
    showOthers();
  });

  addButton.addEventListener("click", function () {
    var row = addRow(null);
    if (row) { row.querySelector("select").focus(); }
  });
}());
