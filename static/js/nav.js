/* The main navigation's groups are <details>: they open by click, tap, Enter or Space without this file.
   This adds what a menu is expected to do: one group open at a time, closed by a click elsewhere or Escape,
   arrow keys between its links, and a menu near the right edge opening leftwards. */
(function () {
  "use strict";
  var nav = document.getElementById("site-nav");
  if (!nav) { return; }
  var groups = Array.prototype.slice.call(nav.querySelectorAll("details.nav-group"));

  function closeAll(except) {
    groups.forEach(function (group) {
      if (group !== except && group.open) { group.open = false; }
    });
  }

  function links(group) {
    return Array.prototype.slice.call(group.querySelectorAll(".nav-group__panel a"));
  }

  groups.forEach(function (group) {
    var summary = group.querySelector("summary");
    summary.setAttribute("aria-expanded", group.open ? "true" : "false");

    group.addEventListener("toggle", function () {
      summary.setAttribute("aria-expanded", group.open ? "true" : "false");
      if (!group.open) { return; }
      closeAll(group);
      group.classList.remove("nav-group--end");
      var panel = group.querySelector(".nav-group__panel");
      if (panel && panel.getBoundingClientRect().right > document.documentElement.clientWidth) {
        group.classList.add("nav-group--end");
      }
    });

    // Leaving the group with the keyboard closes it (a tap on one of its links keeps it until the page changes).
    group.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !group.contains(event.relatedTarget)) { group.open = false; }
    });

    group.addEventListener("keydown", function (event) {
      var items = links(group);
      var index = items.indexOf(document.activeElement);
      if (event.key === "Escape" && group.open) {
        group.open = false;
        summary.focus();
        event.preventDefault();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!items.length) { return; }
        event.preventDefault();
        if (!group.open) { group.open = true; }
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = index === -1 ? (step === 1 ? 0 : items.length - 1) : (index + step + items.length) % items.length;
        items[next].focus();
      }
    });
  });

  document.addEventListener("click", function (event) {
    if (!nav.contains(event.target)) { closeAll(null); }
  });
})();
