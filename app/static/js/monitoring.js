// Monitoring: a print button for notes and reports (the pages print without it too).
document.querySelectorAll(".print-link").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
