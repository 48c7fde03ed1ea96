// Progressive enhancement for the new-request form: a live hint of how many volunteers
// qualify, which rules keep the others out, and what would work instead, with a button that
// puts a suggestion into the form. The form works without it (the server renders the same
// hint and takes a suggestion by a plain submit); the server checks everything on submit.
(function () {
  var form = document.getElementById("new-request");
  var hint = document.getElementById("qualify-hint");
  if (!form || !hint || !window.fetch) return;
  var timer = null;

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    return node;
  }

  function render(data) {
    while (hint.firstChild) hint.removeChild(hint.firstChild);
    if (!data || !data.text) {
      hint.hidden = true;
      return;
    }
    hint.appendChild(element("p", data.text));
    if (data.rules.length) {
      var rules = element("ul");
      rules.className = "hint-rules";
      data.rules.forEach(function (line) { rules.appendChild(element("li", line)); });
      hint.appendChild(rules);
    }
    if (data.suggestions.length) {
      hint.appendChild(element("p", data.instead));
      var list = element("ul");
      list.className = "suggestions";
      data.suggestions.forEach(function (s) {
        var item = element("li", s.label + " ");
        var button = element("button", data.take);
        button.type = "button";
        button.setAttribute("data-mode", s.mode);
        button.setAttribute("data-date", s.date);
        button.setAttribute("data-time", s.time);
        var label = element("span", ": " + s.label);
        label.className = "sr-only";
        button.appendChild(label);
        item.appendChild(button);
        list.appendChild(item);
      });
      hint.appendChild(list);
    }
    hint.hidden = false;
  }

  // Answers may arrive out of order: only the one for the latest state of the form is shown.
  var latest = 0;
  function update() {
    clearTimeout(timer);
    var asked = ++latest;
    var data = new URLSearchParams(new FormData(form));
    ["address", "notes", "client_ref", "confirm", "apply"].forEach(function (k) { data.delete(k); });
    fetch("/requests/new/hint?" + data.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { if (asked === latest) render(answer); })
      .catch(function () {});
  }

  // A suggestion's button fills in its mode, date and time here instead of a round trip.
  hint.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-mode]");
    if (!button) return;
    event.preventDefault();
    form.elements["mode"].value = button.getAttribute("data-mode");
    form.elements["date"].value = button.getAttribute("data-date");
    form.elements["time"].value = button.getAttribute("data-time");
    changed();
    form.elements["date"].focus();
  });

  // Once the form changes, the question "file it anyway?" no longer answers it: the server
  // asks again on submit if nobody qualifies still.
  function changed() {
    var ask = document.getElementById("confirm-unqualified");
    if (ask) ask.hidden = true;
    update();
  }

  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(changed, 250); });
  form.addEventListener("change", changed);
  update();
})();
