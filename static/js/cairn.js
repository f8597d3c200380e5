// Behaviour that a Content-Security-Policy without 'unsafe-inline' cannot take
// from attributes: confirmations, and sizes computed on the server.
(function () {
  "use strict";

  // <form data-confirm="…"> or <button data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var asking = event.submitter && event.submitter.dataset.confirm
      ? event.submitter
      : event.target.closest("form[data-confirm]");
    if (asking && !window.confirm(asking.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // data-width="37" is a bar 37 % wide; data-depth="2" sets --depth for the
  // indented trees (style attributes are refused by the policy, the CSSOM is not).
  function size(root) {
    root.querySelectorAll("[data-width]").forEach(function (element) {
      element.style.width = Number(element.dataset.width || 0) + "%";
    });
    root.querySelectorAll("[data-depth]").forEach(function (element) {
      element.style.setProperty("--depth", Number(element.dataset.depth || 0));
    });
  }

  // <section data-keep-unsaved>: a part that htmx swaps whole after each save
  // (the rubric builder saves one cell at a time) keeps what the person typed
  // in its fields and has not saved yet. A field comes back with their text
  // unless the server changed it in the meantime; the form just saved comes
  // back as the server has it.
  var unsaved = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!event.detail.shouldSwap || !target || !target.hasAttribute("data-keep-unsaved")) return;
    var sender = event.detail.requestConfig && event.detail.requestConfig.elt;
    var saved = sender && sender.closest ? sender.closest("form") : null;
    // A change the server refused comes back marked data-refused: the text
    // typed into its form is kept too.
    var ok = !/\bdata-refused\b/.test(event.detail.serverResponse || "");
    unsaved = [];
    target.querySelectorAll("input[id], textarea[id]").forEach(function (field) {
      if (field.type === "hidden" || (ok && saved && saved.contains(field))) return;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) {
          unsaved.push({ id: field.id, was: field.defaultChecked, now: field.checked });
        }
      } else if (field.value !== field.defaultValue) {
        unsaved.push({ id: field.id, was: field.defaultValue, now: field.value });
      }
    });
  });

  function restore(root) {
    if (!unsaved.length) return;
    if (!(root.hasAttribute && root.hasAttribute("data-keep-unsaved")) &&
        !(root.querySelector && root.querySelector("[data-keep-unsaved]"))) return;
    unsaved.forEach(function (kept) {
      var field = document.getElementById(kept.id);
      if (!field) return;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.defaultChecked === kept.was) field.checked = kept.now;
      } else if (field.defaultValue === kept.was) {
        field.value = kept.now;
      }
    });
    unsaved = [];
  }

  if (window.htmx) {
    window.htmx.onLoad(size); // the page, then every part htmx swaps in
    window.htmx.onLoad(restore);
  } else {
    document.addEventListener("DOMContentLoaded", function () { size(document); });
  }
})();
