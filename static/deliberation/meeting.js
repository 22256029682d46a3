/* Meeting page: show only the fields a chosen decision needs; without JavaScript every field stays visible. */
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector('input[name$="-decision"]:checked');
    var value = checked ? checked.value : "";
    form.querySelectorAll("[data-show-for]").forEach(function (block) {
      var wanted = block.getAttribute("data-show-for").split(" ");
      block.hidden = value !== "" && wanted.indexOf(value) === -1;
    });
  }
  document.querySelectorAll("form.decide-form").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
