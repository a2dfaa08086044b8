/* The quota grid: a changed cell is saved on the spot (blank = back to the default); the cell's mark and
   the column total follow the server's answer. Without script the "保存本页" button saves the same cells. */
(function () {
  "use strict";
  var form = document.getElementById("quota-grid-form");
  if (!form) { return; }
  var url = form.getAttribute("data-cell-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("grid-status");

  function say(text, bad) {
    if (status) { status.textContent = text; status.className = "small " + (bad ? "error-text" : "muted"); }
  }

  // One request at a time per cell, in the order they were asked for: a blur (change) and a click on
  // "恢复默认" right after it must not race, or the older answer could win.
  function save(input) {
    var value = input.value.trim();
    input._chain = (input._chain || Promise.resolve()).then(function () { return send(input, value); });
  }

  function send(input, value) {
    var body = new URLSearchParams();
    body.set("unit", input.getAttribute("data-unit"));
    body.set("indicator", input.getAttribute("data-indicator"));
    body.set("value", value);
    var cell = input.closest("td");
    cell.classList.add("saving");
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        cell.classList.remove("saving");
        if (!res.ok || !res.data.ok) {
          cell.classList.add("invalid");
          input.setAttribute("aria-invalid", "true");
          say(res.data.error || "保存失败", true);
          return;
        }
        cell.classList.remove("invalid");
        input.removeAttribute("aria-invalid");
        input.value = res.data.override ? res.data.value : "";
        cell.classList.toggle("is-override", res.data.override);
        cell.classList.toggle("is-default", !res.data.override);
        var mark = cell.querySelector(".cell-mark");
        if (mark) { mark.textContent = res.data.override ? "单设" : "默认"; }
        var reset = cell.querySelector("[data-reset]");
        if (reset) { reset.hidden = !res.data.override; }
        var total = document.querySelector("[data-total='" + input.getAttribute("data-indicator") + "']");
        if (total) { total.textContent = res.data.total; }
        say("已保存", false);
      })
      .catch(function () { cell.classList.remove("saving"); say("网络错误,未保存", true); });
  }

  form.addEventListener("change", function (e) {
    if (e.target.matches("input[data-unit]")) { save(e.target); }
  });
  form.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-reset]");
    if (!btn) { return; }
    var input = btn.closest("td").querySelector("input[data-unit]");
    input.value = "";
    save(input);
  });
})();
