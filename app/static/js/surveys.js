// The survey page without reloads: one section at a time, show_if conditions, question numbers
// over the items shown, and a draft kept on the phone (localStorage) until the answers are sent.
// Without JavaScript the page shows every section (conditional ones with a hint saying to whom
// they apply) and sends them all with one button.
(function () {
  "use strict";
  function store(fn) { try { return fn(window.localStorage); } catch (e) { return null; } }

  var sent = document.querySelector("[data-draft-sent]");
  if (sent) {
    store(function (s) { s.removeItem("sapat-draft:" + sent.getAttribute("data-draft-sent")); });
    return;
  }
  var root = document.querySelector(".survey[data-draft]");
  var form = root && root.querySelector("form");
  if (!form) return;
  var key = "sapat-draft:" + root.getAttribute("data-draft");
  var parts = Array.prototype.slice.call(form.querySelectorAll("section.part"));
  var codeField = form.querySelector(".code-field");
  var intro = root.querySelector(".intro");
  var check = form.querySelector(".js-check");
  var back = form.querySelector("[data-back]"), next = form.querySelector("[data-next]"), send = form.querySelector("[data-send]");
  var current = 0;
  // The introduction promises a draft only where one can be kept.
  var canKeep = store(function (s) { s.setItem(key + ":probe", "1"); s.removeItem(key + ":probe"); return true; });
  if (canKeep) {
    root.querySelectorAll("[data-no-draft]").forEach(function (el) { el.hidden = true; });
    root.querySelectorAll("[data-draft-kept]").forEach(function (el) { el.hidden = false; });
  }
  // Pages and items appear as the answers call for them: the hints for the page without
  // JavaScript ("Answer only if ...") are not needed.
  form.querySelectorAll("[data-cond-hint]").forEach(function (el) { el.hidden = true; });

  // --- show_if -------------------------------------------------------------------------
  function values(name) {
    var out = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "") out.push(String(el.value).toLowerCase());
    });
    return out;
  }
  function norm(v) { return v === true ? "yes" : v === false ? "no" : String(v).toLowerCase(); }
  function holds(c) {
    var got = values(c.f);
    if (c.equals !== undefined) return got.indexOf(norm(c.equals)) >= 0;
    if (c["in"] !== undefined) return c["in"].some(function (v) { return got.indexOf(norm(v)) >= 0; });
    return got.length > 0 && got.indexOf(norm(c.not)) < 0;
  }
  function shown(el) {
    var cond = el.getAttribute("data-show-if");
    return !cond || JSON.parse(cond).every(holds);
  }
  function visibleParts() { return parts.filter(shown); }
  function update() {
    form.querySelectorAll(".q[data-show-if]").forEach(function (q) { q.hidden = !shown(q); });
    var visible = visibleParts();
    var active = parts[current];
    if (visible.indexOf(active) < 0) active = visible[0];
    current = parts.indexOf(active);
    var position = visible.indexOf(active);
    parts.forEach(function (p) { p.hidden = p !== active; });
    if (codeField) codeField.hidden = position !== 0;
    if (intro) intro.hidden = position !== 0;  // the introduction belongs to the first part
    // "Page 5 of 8" counts only the pages this respondent's answers show.
    var pattern = form.querySelector("[data-step-pattern]");
    visible.forEach(function (p, i) {
      var step = p.querySelector(".step"), bar = p.querySelector("progress");
      if (step && pattern) step.textContent = pattern.getAttribute("data-step-pattern").replace("1001", i + 1).replace("1002", visible.length);
      if (bar) { bar.max = visible.length; bar.value = i + 1; }
    });
    // Question numbers run over the items the answers show, with no gaps.
    var number = 0;
    visible.forEach(function (p) {
      p.querySelectorAll(".q").forEach(function (q) {
        var qn = q.querySelector(".qn");
        if (qn && !q.hidden) qn.textContent = ++number + ".";
      });
    });
    back.hidden = position === 0;
    next.hidden = position === visible.length - 1;
    send.hidden = !next.hidden;
  }

  // --- checks before "Next": required questions of the current section ----------------
  function missing(q) {
    var required = q.querySelectorAll("[required]");
    if (!required.length) return false;
    var names = {};
    required.forEach(function (el) { names[el.name] = true; });
    return Object.keys(names).some(function (name) { return values(name).length === 0; });
  }
  function sectionIsComplete() {
    var bad = [];
    parts[current].querySelectorAll(".q").forEach(function (q) {
      var wrong = !q.hidden && missing(q);
      q.classList.toggle("has-error", wrong);
      if (wrong) bad.push(q);
    });
    check.hidden = bad.length === 0;
    if (bad.length) bad[0].scrollIntoView({ block: "center" });
    return bad.length === 0;
  }
  function go(step) {
    var visible = visibleParts();
    var position = visible.indexOf(parts[current]) + step;
    if (position < 0 || position >= visible.length) return;
    current = parts.indexOf(visible[position]);
    check.hidden = true;
    update();
    save();
    window.scrollTo(0, 0);
  }
  next.addEventListener("click", function () { if (sectionIsComplete()) go(1); });
  back.addEventListener("click", function () { go(-1); });
  // No connection: stay here (not on the browser's error page), keep the draft, send again later.
  var offline = form.querySelector("[data-offline]"), sending = form.querySelector("[data-sending]");
  form.addEventListener("submit", function (event) {
    if (!send.hidden) {
      save();
      if (navigator.onLine === false) { event.preventDefault(); offline.hidden = false; sending.hidden = true; return; }
      offline.hidden = true; sending.hidden = false;
      return;
    }
    event.preventDefault(); // Enter in a text field before the last section
    if (sectionIsComplete()) go(1);
  });

  // --- the draft on this phone -----------------------------------------------------------
  function save() {
    var draft = { uuid: form.client_uuid.value, signature: form.signature.value, step: current, values: {} };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.name === "code" || el.type === "button" || el.type === "submit") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      (draft.values[el.name] = draft.values[el.name] || []).push(el.value);
    });
    store(function (s) { s.setItem(key, JSON.stringify(draft)); });
  }
  function restore() {
    var draft = store(function (s) { return JSON.parse(s.getItem(key) || "null"); });
    if (!draft || !draft.values) return;
    form.client_uuid.value = draft.uuid;  // a resent draft keeps its UUID: no second response
    form.signature.value = draft.signature;
    Object.keys(draft.values).forEach(function (name) {
      var wanted = draft.values[name];
      form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") el.checked = wanted.indexOf(el.value) >= 0;
        else el.value = wanted[0] || "";
      });
    });
    if (draft.step >= 0 && draft.step < parts.length) current = draft.step;
  }

  // A page the server sent back (answers to check) shows what was sent: it replaces the draft.
  var firstError = form.querySelector(".part .has-error");
  if (firstError) current = parts.indexOf(firstError.closest(".part"));
  if (root.querySelector(".flash-error:not(.js-check):not([data-offline])")) save(); else restore();
  form.addEventListener("change", function () { update(); save(); });
  form.addEventListener("input", save);
  window.addEventListener("online", function () { offline.hidden = true; });
  window.addEventListener("pageshow", function () { sending.hidden = true; });
  update();
})();
