// Shows and hides questions with a show_if condition as answers change (the page works without it).
(function () {
  "use strict";
  var form = document.querySelector(".survey form");
  if (!form) return;
  function values(name) {
    var out = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "") out.push(String(el.value).toLowerCase());
    });
    return out;
  }
  function norm(v) { return v === true ? "yes" : v === false ? "no" : String(v).toLowerCase(); }
  function holds(c) {
    if (!form.querySelector('[name="' + c.f + '"]')) return true; // answered on an earlier page
    var got = values(c.f);
    if (c.equals !== undefined) return got.indexOf(norm(c.equals)) >= 0;
    if (c["in"] !== undefined) return c["in"].some(function (v) { return got.indexOf(norm(v)) >= 0; });
    return got.length > 0 && got.indexOf(norm(c.not)) < 0;
  }
  function update() {
    form.querySelectorAll("[data-show-if]").forEach(function (q) {
      var show = JSON.parse(q.getAttribute("data-show-if")).every(holds);
      q.hidden = !show;
    });
  }
  form.addEventListener("change", update);
  update();
})();
