// "我也遇到": once a community, a category and a few words are there, offer the open cases that look the same.
// The form works without this script; with it, a tap on "我也遇到" sends the form with the case chosen
// (the server keeps the community, the case and a phone left to be called back, not the text or photos).
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar-url]");
  var box = document.getElementById("same-suggestions");
  if (!form || !box || !window.fetch || !window.FormData) return;
  var list = box.querySelector(".p-same__list");
  var timer = null;
  var asked = "";

  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function words() {
    var text = form.querySelector('[name="text"]');
    return text ? text.value.trim() : "";
  }

  function show(suggestions) {
    list.textContent = "";
    suggestions.forEach(function (s) {
      var item = document.createElement("li");
      item.className = "p-same__item";
      var title = document.createElement("p");
      title.className = "p-same__title";
      title.textContent = s.title;
      var meta = document.createElement("p");
      meta.className = "p-help";
      meta.textContent = s.status + " · " + box.dataset.days.replace("%s", s.days_open);
      item.appendChild(title);
      item.appendChild(meta);
      if (s.public_reply) {
        var reply = document.createElement("p");
        reply.className = "p-help";
        reply.textContent = box.dataset.reply + ":" + s.public_reply;
        item.appendChild(reply);
      }
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "same_case";
      button.value = s.case;
      button.className = "p-button p-same__button";
      button.textContent = box.dataset.button;
      item.appendChild(button);
      list.appendChild(item);
    });
    box.hidden = suggestions.length === 0;
  }

  function ask() {
    var community = checked("community");
    var category = checked("category");
    var text = words();
    if (!community || !category || text.replace(/[\s\p{P}]/gu, "").length < 4) {
      show([]);
      return;
    }
    var key = community + "|" + category + "|" + text;
    if (key === asked) return;
    asked = key;
    var body = new FormData();
    body.append("community", community);
    body.append("category", category);
    body.append("text", text);
    fetch(form.dataset.similarUrl, { method: "POST", body: body, credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) { if (key === asked) show(data.suggestions || []); })
      .catch(function () { show([]); });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 600);
  }

  // With suggestions shown, Enter in the phone box must not press the first "我也遇到" (the first submit button).
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT" && !box.hidden) event.preventDefault();
  });
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  ask();
})();
