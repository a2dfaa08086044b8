/* Small page behaviours without inline script (so the CSP can forbid inline script later). */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches("[data-check-all]")) {
      document.querySelectorAll("input[name=ids]").forEach(function (c) { c.checked = t.checked; });
    }
    if (t.matches("select[data-autosubmit]") && t.form) { t.form.submit(); }
  });
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
})();
