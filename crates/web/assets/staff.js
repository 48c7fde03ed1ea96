// Progressive enhancement for the new-request form: a live count of qualifying volunteers.
// The form works without it; the server checks everything again on submit.
(function () {
  var form = document.getElementById("new-request");
  var hint = document.getElementById("qualify-hint");
  if (!form || !hint || !window.fetch) return;
  var timer = null;
  function update() {
    var data = new URLSearchParams(new FormData(form));
    ["address", "notes", "client_ref"].forEach(function (k) { data.delete(k); });
    fetch("/requests/new/hint?" + data.toString(), { credentials: "same-origin", headers: { "Accept": "text/plain" } })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (text) { hint.textContent = text; hint.hidden = !text; })
      .catch(function () {});
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
  form.addEventListener("change", update);
  update();
})();
