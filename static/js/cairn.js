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

  if (window.htmx) {
    window.htmx.onLoad(size); // the page, then every part htmx swaps in
  } else {
    document.addEventListener("DOMContentLoaded", function () { size(document); });
  }
})();
