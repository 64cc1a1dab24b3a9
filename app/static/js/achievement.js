// The marks grid: keyboard-first entry. Enter moves down, Tab moves right (the browser's
// own order), arrows move around, a pasted column fills the cells below; wrong values are
// highlighted before saving. Without JavaScript the grid is a plain form.
(function () {
  "use strict";
  var grid = document.getElementById("marks-grid");
  if (!grid) { return; }
  var form = document.getElementById("marks-form");
  var status = document.getElementById("grid-status");
  var messages = document.getElementById("grid-messages");
  var ABSENT = ["", "н", "n", "нб", "nb", "-", "—"];

  function cell(row, col) {
    return grid.querySelector('input[data-row="' + row + '"][data-col="' + col + '"]');
  }

  function problem(input) {
    var v = input.value.trim().toLowerCase();
    if (ABSENT.indexOf(v) >= 0) { return ""; }
    if (input.dataset.kind === "score") {
      var x = Number(v.replace(",", "."));
      var max = Number(input.dataset.max || 100);
      return (isNaN(x) || x < 0 || x > max) ? messages.dataset.score : "";
    }
    return /^[1-5]$/.test(v) ? "" : messages.dataset.mark;
  }

  function check(input) {
    var p = problem(input);
    input.classList.toggle("invalid", p !== "");
    if (p) { input.setAttribute("aria-invalid", "true"); input.title = p; }
    else { input.removeAttribute("aria-invalid"); input.removeAttribute("title"); }
    return p === "";
  }

  function move(input, dRow, dCol) {
    var next = cell(Number(input.dataset.row) + dRow, Number(input.dataset.col) + dCol);
    if (!next && dRow === 1) { next = cell(0, Number(input.dataset.col) + 1); }
    if (next) { next.focus(); next.select(); }
  }

  grid.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.tagName !== "INPUT") { return; }
    if (event.key === "Enter") { event.preventDefault(); check(input); move(input, event.shiftKey ? -1 : 1, 0); }
    else if (event.key === "ArrowDown") { event.preventDefault(); move(input, 1, 0); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(input, -1, 0); }
  });

  grid.addEventListener("input", function (event) {
    var input = event.target;
    if (input.tagName !== "INPUT") { return; }
    if (input.classList.contains("invalid")) { check(input); }
  });

  grid.addEventListener("focusout", function (event) {
    if (event.target.tagName === "INPUT") { check(event.target); }
  });

  // Focusing a cell selects its value, so typing replaces it as in a spreadsheet; the
  // mouseup that follows a click would otherwise drop the selection.
  var justFocused = null;
  grid.addEventListener("focusin", function (event) {
    if (event.target.tagName === "INPUT") { event.target.select(); justFocused = event.target; }
  });
  grid.addEventListener("mouseup", function (event) {
    if (event.target === justFocused) { event.preventDefault(); }
    justFocused = null;
  });

  grid.addEventListener("paste", function (event) {
    var input = event.target;
    if (input.tagName !== "INPUT" || !event.clipboardData) { return; }
    var text = event.clipboardData.getData("text/plain");
    if (text.indexOf("\n") < 0 && text.indexOf("\t") < 0) { return; }
    event.preventDefault();
    var rows = text.replace(/\r/g, "").replace(/\n$/, "").split("\n");
    var r0 = Number(input.dataset.row), c0 = Number(input.dataset.col);
    rows.forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var target = cell(r0 + i, c0 + j);
        if (target) { target.value = value.trim(); check(target); }
      });
    });
  });

  form.addEventListener("submit", function (event) {
    var bad = 0;
    grid.querySelectorAll("input[data-row]").forEach(function (input) { if (!check(input)) { bad += 1; } });
    if (bad) {
      event.preventDefault();
      status.textContent = messages.dataset.bad.replace("{n}", bad);
      var first = grid.querySelector("input.invalid");
      if (first) { first.focus(); }
    }
  });
})();
