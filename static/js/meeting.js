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

  /* Known collaborators as one-tap chips: a row with the kind and label filled in. */
  var known = {};
  Array.prototype.forEach.call(form.querySelectorAll(".chip-button[data-source]"), function (chip) {
    (known[chip.dataset.source] = known[chip.dataset.source] || []).push(chip.dataset.label);
    chip.addEventListener("click", function () {
      var row = addRow(chip.dataset.source);
      if (!row) { return; }
      row.querySelector("input[name$=_label]").value = chip.dataset.label;
      chip.setAttribute("aria-pressed", "true");
      var first = row.querySelector("input[type=radio][name$=_value]");
      if (first) { first.focus(); }
    });
  });

  /* A kind the citizen already has only under labels ("Læge (egen læge)") needs a label:
     otherwise it becomes a second, unlabelled doctor. The server asks the same. */
  function unclearRows() {
    return rows.filter(function (row) {
      if (row.hidden) { return false; }
      var source = row.querySelector("select").value;
      var labels = known[source] || [];
      return source && labels.length && labels.indexOf("") === -1 && !row.querySelector("input[name$=_label]").value.trim();
    });
  }

  function markUnclear() {
    rows.forEach(function (row) {
      var hint = row.querySelector("[data-which]");
      var unclear = unclearRows().indexOf(row) !== -1;
      hint.hidden = !unclear;
      if (unclear) {
        hint.textContent = hint.dataset.which.replace("{labels}", known[row.querySelector("select").value].join(", "));
      }
    });
  }

  form.addEventListener("change", function (event) {
    if (/^c\d+_source$/.test(event.target.name) || /_label$/.test(event.target.name)) { markUnclear(); }
  });
  form.addEventListener("submit", function (event) {
    var unclear = unclearRows();
    if (unclear.length) {
      event.preventDefault();
      event.stopImmediatePropagation();
      markUnclear();
      unclear[0].querySelector("input[name$=_label]").focus();
    }
  }, true);

  addButton.addEventListener("click", function () {
    var row = addRow(null);
    if (row) { row.querySelector("select").focus(); }
  });
}());
