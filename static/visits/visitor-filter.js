/* The visit form's list of visitors: a search box that narrows the list as you type (a name, its pinyin or
 * its pinyin initials). Ticked people stay in sight, so the choice already made is never hidden.
 * Without JavaScript the box stays hidden and the whole list shows. */
(function () {
  "use strict";
  var wrap = document.querySelector("[data-visitor-filter]");
  if (!wrap) { return; }
  var input = wrap.querySelector("input");
  var fieldset = wrap.parentNode;
  var labels = Array.prototype.slice.call(fieldset.querySelectorAll("label[data-search]"));
  var groups = Array.prototype.slice.call(fieldset.querySelectorAll("[data-visitor-group]"));
  var none = fieldset.querySelector("[data-visitor-none]");

  function apply() {
    var query = input.value.trim().toLowerCase().replace(/\s+/g, "");
    var shown = 0;
    labels.forEach(function (label) {
      var box = label.querySelector("input");
      var match = !query || label.getAttribute("data-search").toLowerCase().replace(/\s+/g, " ").split(" ")
        .some(function (word) { return word.indexOf(query) !== -1; });
      var visible = match || (box && box.checked);
      label.hidden = !visible;
      if (visible) { shown += 1; }
    });
    groups.forEach(function (heading) {
      var any = false;
      for (var el = heading.nextElementSibling; el && el.matches("label[data-search]"); el = el.nextElementSibling) {
        if (!el.hidden) { any = true; break; }
      }
      heading.hidden = !any;
    });
    if (none) { none.hidden = shown > 0; }
  }

  wrap.hidden = false;
  input.addEventListener("input", apply);
  // Enter in the box must not send the half-filled visit form.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }
  });
  apply();
})();
