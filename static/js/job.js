// A background job's page: ask for its state every second until it has finished, then show the file.
(function () {
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  var url = box.dataset.statusUrl;
  function $(id) { return document.getElementById(id); }
  function show(s) {
    $("job-status").textContent = s.status_label;
    $("job-count").textContent = s.total ? s.done + "/" + s.total : "";
    $("job-message").textContent = s.message || "";
    var bar = $("job-bar");
    bar.style.width = (s.percent === null ? 5 : s.percent) + "%";
    if (s.status === "done") bar.className = "done";
    if (s.error) { $("job-error").textContent = s.error; $("job-error").hidden = false; }
    if (s.file_url) {
      $("job-file-link").href = s.file_url;
      $("job-file-name").textContent = s.file_name;
      $("job-file").hidden = false;
    }
    if (s.finished) $("job-wait").hidden = true;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return setTimeout(poll, 3000);
        show(s);
        if (!s.finished) setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
