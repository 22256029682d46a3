/* The receipt's print button; the page prints without it too (Ctrl+P). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
})();

/* A filter box above a long select (the household-member picker): typing hides the options and households that
   do not match. Without JavaScript the select works as it is. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-filter-label]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "points-select-filter";
    box.placeholder = select.getAttribute("data-filter-label");
    box.setAttribute("aria-label", select.getAttribute("data-filter-label"));
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var matches = function (text) {
        text = text.toLowerCase();
        return words.every(function (w) { return text.indexOf(w) !== -1; });
      };
      Array.prototype.forEach.call(select.children, function (child) {
        if (child.tagName === "OPTGROUP") {
          var any = false;
          Array.prototype.forEach.call(child.children, function (option) {
            var show = option.selected || matches(child.label + " " + option.textContent);
            option.hidden = !show;
            option.disabled = !show && !option.selected;
            any = any || show;
          });
          child.hidden = !any;
        }
      });
    });
  });
})();
