/* Sortable tables: a header with a <button data-sort> sorts its table's body by that column, numbers as
   numbers (a cell's data-value when given), a second click reverses. No library: the rows are already on
   the page (one kind's units), and the header says which way it is sorted (aria-sort). */
(function () {
  "use strict";
  function value(row, index) {
    var cell = row.children[index];
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-value");
    if (v === null) { v = cell.textContent.trim(); }
    var n = parseFloat(v.replace(/,/g, ""));
    return isNaN(n) ? v : n;
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("button[data-sort]");
    if (!btn) { return; }
    var th = btn.closest("th");
    var table = th.closest("table");
    var body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, index), y = value(b, index);
      var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
})();
