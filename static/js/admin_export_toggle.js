// Admin export page (django-import-export): bind the "Select all" checkbox without an inline handler,
// which the Content-Security-Policy blocks (templates/admin/import_export/export.html).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((box) => {
    box.removeAttribute("onchange");
    box.addEventListener("change", (event) => {
      if (typeof window.onSelectToggleChange === "function") {
        window.onSelectToggleChange(event);
      }
    });
  });
});
