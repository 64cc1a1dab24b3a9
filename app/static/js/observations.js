/* Observations: offline-safe checklist drafts and the start form's timetable pick.
   Pages work without this file; it only adds local drafts, background saving and progress. */
(function () {
  "use strict";

  // --- start form: a lesson from the timetable fills teacher, class and subject ---------
  var start = document.getElementById("start-form");
  if (start) {
    var map = {};
    try { map = JSON.parse(start.getAttribute("data-assignments") || "{}"); } catch (e) { map = {}; }
    var pick = start.querySelector("[name=assignment_id]");
    if (pick) {
      pick.addEventListener("change", function () {
        var a = map[pick.value];
        if (!a) { return; }
        ["teacher_id", "class_id", "subject_id"].forEach(function (name, i) {
          var sel = start.querySelector("[name=" + name + "]");
          if (sel) { sel.value = a[i] === null ? "" : String(a[i]); }
        });
      });
    }
  }

  // --- checklist -------------------------------------------------------------------------
  var form = document.getElementById("checklist");
  if (!form) { return; }
  var obsId = form.getAttribute("data-obs");
  var syncUrl = form.getAttribute("data-sync-url");
  var storeKey = "sapat-observation-" + obsId;
  var status = document.getElementById("obs-sync");
  var csrf = (form.querySelector("[name=csrf_token]") || {}).value || "";
  var timer = null;
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || { answers: {} }; } catch (e) { return { answers: {} }; }
  }
  function store(data) {
    try { localStorage.setItem(storeKey, JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  }
  function say(kind, text) {
    if (!status) { return; }
    status.hidden = false;
    status.className = "obs-sync " + kind;
    status.textContent = text;
  }
  function msg(name) { return status ? status.getAttribute("data-" + name) || "" : ""; }

  // A field's value: the checked radio's value, the list of checked boxes (an item with
  // several answers), or the input's text.
  function fieldValue(name) {
    var els = form.elements[name];
    if (!els) { return null; }
    if (els.length !== undefined && els.tagName === undefined) { // a RadioNodeList
      var checked = [];
      for (var i = 0; i < els.length; i++) { if (els[i].checked) { checked.push(els[i].value); } }
      if (els[0] && els[0].type === "checkbox") { return checked; }
      return checked.length ? checked[0] : "";
    }
    if (els.type === "checkbox") { return els.checked ? [els.value] : []; }
    return els.value;
  }
  function applyValue(name, value) {
    var els = form.elements[name];
    if (!els) { return; }
    if (els.length !== undefined && els.tagName === undefined) {
      for (var i = 0; i < els.length; i++) {
        els[i].checked = Array.isArray(value) ? value.indexOf(els[i].value) >= 0 : els[i].value === value;
      }
    } else if (els.type === "checkbox") {
      els.checked = Array.isArray(value) && value.indexOf(els.value) >= 0;
    } else {
      els.value = value;
      if (value && els.tagName === "TEXTAREA") {
        var details = els.closest("details");
        if (details) { details.open = true; }
      }
    }
  }

  function updateProgress() {
    var total = parseInt(form.getAttribute("data-total"), 10) || 0;
    var crits = form.querySelectorAll("fieldset[data-criterion]");
    var done = 0;
    var perSection = {};
    crits.forEach(function (fs) {
      var section = fs.closest("section").getAttribute("data-section");
      perSection[section] = perSection[section] || [0, 0];
      perSection[section][1] += 1;
      if (fs.querySelector("input[type=radio]:checked")) { done += 1; perSection[section][0] += 1; }
    });
    var bar = document.getElementById("obs-progress-bar");
    var text = document.getElementById("obs-progress-text");
    if (bar) { bar.value = done; }
    if (text) {
      text.textContent = (form.getAttribute("data-progress-template") || "{done} / {total}")
        .replace("{done}", done).replace("{total}", total);
    }
    document.querySelectorAll(".obs-sections a[data-section]").forEach(function (a) {
      var s = perSection[a.getAttribute("data-section")];
      if (!s) { return; }
      var count = a.querySelector(".sec-count");
      if (count) { count.textContent = s[0] + "/" + s[1]; }
      a.classList.toggle("done", s[0] === s[1]);
    });
  }

  // The value of each field when the page was served (or last synced): sent with a change, so
  // the server writes only what changed here and refuses what another device changed too.
  var base = {};
  try { base = JSON.parse((form.querySelector("[name=_orig]") || {}).value || "{}"); } catch (e) { base = {}; }

  function remember(name) {
    if (!/^(score|note|value)-/.test(name)) { return; }
    var data = load();
    data.answers = data.answers || {};
    data.originals = data.originals || {};
    if (!(name in data.originals) && name in base) { data.originals[name] = base[name]; }
    data.answers[name] = fieldValue(name);
    data.dirty = true;
    data.savedAt = new Date().toISOString();
    store(data);
  }

  function sync() {
    var data = load();
    if (!data.dirty || sending) { return; }
    if (!navigator.onLine) { say("offline", msg("offline")); return; }
    sending = true;
    say("", msg("saving"));
    var sent = JSON.stringify(data.answers);
    fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ answers: data.answers, originals: data.originals || {} })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; },
        function () { return { status: response.status, body: {} }; });
    }).then(function (result) {
      sending = false;
      if (result.status === 200 && result.body.ok) {
        if (result.body.values) { base = result.body.values; }
        var now = load();
        // Only forget what was sent; answers changed meanwhile stay dirty.
        if (JSON.stringify(now.answers) === sent) { store({ answers: {}, dirty: false }); }
        else {  // what was sent is stored now: it is the original of a later change
          now.originals = now.originals || {};
          Object.keys(JSON.parse(sent)).forEach(function (n) { if (n in base) { now.originals[n] = base[n]; } });
          store(now);
          sync();
        }
        say("ok", msg("saved"));
      } else if (result.status === 409) {
        // Nothing was saved. The phone's values are never dropped: they stay in the queue (not
        // resent by themselves) and each field both devices changed is shown with both values
        // until the observer chooses one.
        var kept = load();
        kept.dirty = false;
        kept.conflicts = {};
        (result.body.conflicts || []).forEach(function (c) { kept.conflicts[c.name] = c; });
        store(kept);
        say("bad", result.body.error || "");
        showConflicts();
      } else {
        say("bad", msg("failed") + " " + (result.body.error || result.status));
      }
    }).catch(function () {
      sending = false;
      say("offline", msg("offline"));
    });
  }

  // The fields both devices changed: "on this device: X / saved meanwhile: Y", keep or take.
  var panel = document.getElementById("obs-conflicts");
  function resolve(name, keepMine) {
    var data = load();
    var c = (data.conflicts || {})[name];
    if (!c) { return; }
    data.originals = data.originals || {};
    if (keepMine) {
      data.originals[name] = c.theirs;  // the saved value is now known: the next send overrides it knowingly
    } else {
      applyValue(name, c.theirs);
      delete data.answers[name];
      delete data.originals[name];
      base[name] = c.theirs;
    }
    delete data.conflicts[name];
    if (!Object.keys(data.conflicts).length) {
      delete data.conflicts;
      data.dirty = Object.keys(data.answers || {}).length > 0;
    }
    store(data);
    updateProgress();
    showConflicts();
    if (data.dirty) { sync(); }
  }
  function showConflicts() {
    if (!panel) { return; }
    var clashes = load().conflicts || {};
    var names = Object.keys(clashes);
    panel.hidden = names.length === 0;
    var list = panel.querySelector("ul");
    list.textContent = "";
    names.forEach(function (name) {
      var c = clashes[name];
      var li = document.createElement("li");
      var text = document.createElement("p");
      text.textContent = c.label + ": " + panel.getAttribute("data-mine") + " " + c.mine_shown + " · " +
        panel.getAttribute("data-theirs") + " " + c.theirs_shown;
      li.appendChild(text);
      [[true, "data-keep"], [false, "data-take"]].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = panel.getAttribute(choice[1]);
        button.setAttribute("data-choice", choice[0] ? "keep" : "take");
        button.addEventListener("click", function () { resolve(name, choice[0]); });
        li.appendChild(button);
      });
      list.appendChild(li);
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(sync, 700);
  }

  // Restore answers that never reached the server (e.g. the page was reloaded offline).
  var saved = load();
  if ((saved.dirty || saved.conflicts) && saved.answers) {
    Object.keys(saved.answers).forEach(function (name) { applyValue(name, saved.answers[name]); });
    say("offline", msg("restored"));
    schedule();
  }
  showConflicts();
  updateProgress();

  form.addEventListener("change", function (event) {
    if (event.target.name) { remember(event.target.name); updateProgress(); schedule(); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.name && event.target.type !== "radio" && event.target.type !== "checkbox") {
      remember(event.target.name); schedule();
    }
  });
  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", function () { say("offline", msg("offline")); });

  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      event.preventDefault();
      var finishing = event.submitter && event.submitter.name === "action";
      say("offline", finishing ? msg("finish-offline") : msg("offline"));
      return;
    }
    // The whole form goes to the server now; the local copy stays until the server has
    // it (the next page re-sends any unsent answers, which is harmless).
  });
})();
