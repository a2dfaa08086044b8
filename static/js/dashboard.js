/* Month-by-month chart on the dashboard (vendored Chart.js, no CDN). */
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  var canvas = document.getElementById("monthly-chart");
  if (!el || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(el.textContent);
  var t = data.text || {};  // labels in the page's language (Django i18n), Chinese if absent
  Chart.defaults.font.family = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: t.approved || "审核通过", data: data.approved, backgroundColor: "#1a7f37", stack: "m" },
        { type: "bar", label: t.waiting || "待审核", data: data.waiting, backgroundColor: "#9cc3ea", stack: "m" },
        { type: "line", label: t.cumulative || "累计通过", data: data.cumulative, borderColor: "#b3261e", backgroundColor: "#b3261e", yAxisID: "y2", tension: 0.2 }
      ]
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t.per_month || "当月篇数" } },
        y2: { position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false }, title: { display: true, text: t.total || "累计" } }
      }
    }
  });
  var kindCanvas = document.getElementById("kind-chart");
  var colours = ["#b3261e", "#0b5cad", "#1a7f37", "#9a6700", "#6f42c1", "#5f6b7a"];
  if (kindCanvas && data.kinds) {
    new Chart(kindCanvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.kinds.map(function (k, i) {
          var c = colours[i % colours.length];
          return { label: k.name, data: k.data, borderColor: c, backgroundColor: c, tension: 0.2 };
        })
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t.approved_per_month || "当月通过篇数" } } }
      }
    });
  }
})();
