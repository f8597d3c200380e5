(function () {
  "use strict";
  // Drag a node onto a group to move it there; the keyboard does the same
  // with each node's "Move into" choice, which this fills in and submits.
  document.addEventListener("dragstart", (event) => {
    const item = event.target.closest && event.target.closest("#builder li[data-path]");
    if (item) event.dataTransfer.setData("text/plain", item.dataset.path);
  });
  document.addEventListener("dragover", (event) => {
    if (event.target.closest && event.target.closest("#builder li.group")) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    const group = event.target.closest && event.target.closest("#builder li.group");
    if (!group) return;
    event.preventDefault();
    const path = event.dataTransfer.getData("text/plain");
    const form = document.querySelector(`form[data-move="${path}"]`);
    if (!form || group.dataset.path === path || group.dataset.path.startsWith(path + ".")) return;
    form.querySelector("select[name=target]").value = group.dataset.path;
    htmx.trigger(form, "submit");
  });
})();
