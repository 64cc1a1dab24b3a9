// Export progress: poll the job's status and show the download link when it is ready.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var box = document.querySelector(".export-job[data-status-url]");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("export-progress");
  var percent = document.getElementById("export-percent");
  var text = document.getElementById("export-text");
  var error = document.getElementById("export-error");
  var download = document.getElementById("export-download");
  var link = document.getElementById("export-download-link");
  var wait = box.querySelector(".export-wait");
  var delay = 700;

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + " %";
    percent.textContent = data.progress;
    if (data.status === "done" && data.download) {
      text.textContent = box.getAttribute("data-msg-ready");
      link.href = data.download;
      download.hidden = false;
      if (wait) { wait.hidden = true; }
      return true;
    }
    if (data.status === "failed" || data.status === "done") {
      if (data.error) { error.textContent = data.error; error.hidden = false; }
      if (wait) { wait.hidden = true; }
      return true;
    }
    return false;
  }

  function poll() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (!show(data)) { delay = Math.min(delay * 1.3, 3000); setTimeout(poll, delay); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (download.hidden && !error.textContent) { setTimeout(poll, 300); }
}());
