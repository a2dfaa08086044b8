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
  // Proof images (and a PDF's first page) open at full size over the page: the queue, its scroll position
  // and any reason being typed stay where they were. Esc, the close button or a click outside closes it.
  function closeZoom() {
    var open = document.querySelector(".zoom-overlay");
    if (open) { open.remove(); document.body.classList.remove("zoomed"); }
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-zoom]");
    if (link && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.button === 0) {
      e.preventDefault();
      closeZoom();
      var box = document.createElement("div");
      box.className = "zoom-overlay";
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-modal", "true");
      var img = document.createElement("img");
      img.src = link.href;
      img.alt = (link.querySelector("img") || {}).alt || "";
      var close = document.createElement("button");
      close.type = "button";
      close.className = "zoom-close";
      close.textContent = "×";
      close.setAttribute("aria-label", link.getAttribute("data-close-label") || "关闭");
      var open = document.createElement("a");
      open.href = link.href;
      open.target = "_blank";
      open.rel = "noopener";
      open.className = "zoom-open";
      open.textContent = link.getAttribute("data-open-label") || "在新窗口打开";
      box.appendChild(close);
      box.appendChild(open);
      box.appendChild(img);
      document.body.appendChild(box);
      document.body.classList.add("zoomed");
      close.focus();
      return;
    }
    if (e.target.matches && (e.target.matches(".zoom-overlay") || e.target.matches(".zoom-close"))) { closeZoom(); }
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeZoom(); } });
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
})();
