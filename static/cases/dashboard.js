/* Refresh the dashboard body every minute without reloading the page. */
(function () {
  "use strict";
  var body = document.getElementById("dashboard-body");
  if (!body || !window.fetch) { return; }
  var url = body.getAttribute("data-refresh-url");
  var seconds = parseInt(body.getAttribute("data-refresh-seconds"), 10) || 60;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        // Signed out meanwhile (session expired): reload so the login page shows instead of the figures.
        if (response.redirected) { window.location.reload(); throw new Error("signed out"); }
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) { body.innerHTML = html; })
      .catch(function () { /* keep the last figures; try again next time */ });
  }
  window.setInterval(refresh, seconds * 1000);
})();
