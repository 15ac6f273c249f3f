// Tongchou's only script (no inline scripts: the CSP forbids them). It asks for confirmation
// before steps that cannot be undone, in a dialog that says what cannot be undone, narrows
// lists of choices to what is typed, and sends the anti-CSRF token with htmx requests.
(function () {
  "use strict";
  var body = document.body;
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = body.getAttribute("data-csrf") || "";
  });
  var toggle = document.getElementById("menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // 全选: ticks or clears every box of the list's batch form.
  document.addEventListener("change", function (e) {
    var all = e.target.closest ? e.target.closest("input[data-check-all]") : null;
    if (!all || !all.form) { return; }
    var boxes = all.form.querySelectorAll("input[name='" + all.getAttribute("data-check-all") + "']");
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
  });
  var print = document.querySelector("[data-print]");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }
  var dialog = document.getElementById("confirm-dialog");
  document.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-confirm]");
    if (!button || !dialog || button.dataset.confirmed === "yes") { return; }
    var message = button.getAttribute("data-confirm");
    if (message && message.indexOf("radio:") === 0) {
      // The message belongs to the chosen option (e.g. which opinion is given).
      var chosen = button.form.querySelector("input[name='" + message.slice(6) + "']:checked");
      message = chosen ? chosen.getAttribute("data-confirm") : "";
    }
    if (!message) { return; }
    // A required field left empty: nothing irreversible can happen (the server refuses and
    // lists every error at once), so the form goes without the "cannot be undone" dialog.
    if (button.form && hasEmptyRequired(button.form)) { return; }
    e.preventDefault();
    document.getElementById("confirm-title").textContent = body.getAttribute("data-confirm-title");
    document.getElementById("confirm-message").textContent = message;
    document.getElementById("confirm-ok").textContent = body.getAttribute("data-confirm-ok");
    document.getElementById("confirm-cancel").textContent = body.getAttribute("data-confirm-cancel");
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue === "ok") {
        button.dataset.confirmed = "yes";
        button.form.requestSubmit(button);
      }
    };
    dialog.showModal();
  });
  // A list of choices (the vendors that bid) narrowed to what the filter box says; what is
  // ticked stays in view.
  document.addEventListener("input", function (e) {
    var box = e.target.closest ? e.target.closest("input.pick-filter") : null;
    if (!box) { return; }
    var list = document.getElementById(box.getAttribute("data-filter"));
    if (!list) { return; }
    var q = box.value.trim().toLowerCase();
    var labels = list.querySelectorAll("label");
    for (var i = 0; i < labels.length; i++) {
      var ticked = labels[i].querySelector("input:checked");
      labels[i].hidden = q !== "" && !ticked && labels[i].textContent.toLowerCase().indexOf(q) < 0;
    }
  });
  function hasEmptyRequired(form) {
    var fields = form.querySelectorAll(".field");
    for (var i = 0; i < fields.length; i++) {
      if (!fields[i].querySelector("label .req")) { continue; }
      var picks = fields[i].querySelector(".pick-list");
      if (picks) {
        var more = fields[i].querySelector("input.pick-more");
        if (!picks.querySelector("input:checked") && !(more && more.value.trim())) { return true; }
        continue;
      }
      var input = fields[i].querySelector("input:not([type=checkbox]):not([type=hidden]):not(.pick-filter):not(.pick-more), textarea, select");
      if (input && input.name && !input.closest(".table-input") && input.value.trim() === "") { return true; }
    }
    return false;
  }
})();
