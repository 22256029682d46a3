/* Keep a half-typed visit log in the browser so a lost connection loses nothing.
 * The draft includes the form's submission key, so sending it again after a failure makes
 * one visit log on the server, not two. The household page clears the draft once saved. */
(function () {
  "use strict";
  var PREFIX = "lucun-draft:";
  var store;
  try { store = window.localStorage; store.getItem("x"); } catch (e) { return; }

  var done = document.querySelector("[data-draft-clear]");
  if (done) { store.removeItem(PREFIX + done.getAttribute("data-draft-clear")); }

  var form = document.querySelector("form[data-draft-key]");
  if (!form) { return; }
  var key = PREFIX + form.getAttribute("data-draft-key");
  var skip = { csrfmiddlewaretoken: true };

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !skip[el.name] && el.type !== "file" && el.type !== "submit" && el.type !== "button";
    });
  }

  function save() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { (data[el.name] = data[el.name] || []).push(el.value); }
        else if (!(el.name in data)) { data[el.name] = []; }
      } else {
        data[el.name] = el.value;
      }
    });
    try { store.setItem(key, JSON.stringify({ savedAt: Date.now(), data: data })); } catch (e) { /* storage full */ }
  }

  function restore() {
    var raw = store.getItem(key);
    if (!raw) { return false; }
    var draft;
    try { draft = JSON.parse(raw).data || {}; } catch (e) { return false; }
    fields().forEach(function (el) {
      if (!(el.name in draft)) { return; }
      var value = draft[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else {
        el.value = value;
      }
    });
    return true;
  }

  // Without a saved draft, a fresh key from the browser; the server's key is the fallback without JS.
  var keyField = form.querySelector("input[name=idempotency_key]");
  if (form.hasAttribute("data-draft-restore")) {
    if (restore()) {
      var note = document.querySelector("[data-draft-note]");
      if (note) { note.hidden = false; }
    } else if (keyField && window.crypto && window.crypto.randomUUID) {
      keyField.value = window.crypto.randomUUID();
    }
  }
  save();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function () {
    save();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; window.setTimeout(function () { button.disabled = false; }, 8000); }
  });

  var discard = document.querySelector("[data-draft-discard]");
  if (discard) {
    discard.addEventListener("click", function () {
      store.removeItem(key);
      window.location.reload();
    });
  }
})();
