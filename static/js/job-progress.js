/* Follow a background job (an export, a print job, case sheets): poll its progress every few seconds and offer the file when it is done. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var done = box.querySelector("[data-progress-done]");
  var link = box.querySelector("[data-progress-link]");
  var timer = null;

  function show(job) {
    bar.value = job.percent;
    bar.textContent = job.percent + "%";
    text.textContent = job.text + (job.error ? " · " + job.error : "");
    if (job.download_url) {
      link.href = job.download_url;
      done.hidden = false;
    }
    if (job.state === "done" || job.state === "failed") {
      window.clearInterval(timer);
      box.setAttribute("data-state", job.state);
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) { throw new Error(response.status); }
        return response.json();
      })
      .then(show)
      .catch(function () { /* keep the last figures; try again next time */ });
  }
  timer = window.setInterval(poll, 3000);
  poll();
})();
