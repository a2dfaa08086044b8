/* Piece form: add publication rows, outlet autocomplete (name / alias / web domain), and an
   outlet suggestion when a URL is typed. Plain JS, no dependencies. */
(function () {
  "use strict";
  var form = document.getElementById("piece-form");
  if (!form) return;
  var searchUrl = form.getAttribute("data-outlet-url");
  var rows = document.getElementById("pub-rows");
  var total = form.querySelector("input[name=pub-TOTAL_FORMS]");
  var template = document.getElementById("pub-empty");
  // Texts in the page's language come from data-t-* attributes of the form (Django i18n); Chinese if absent.
  function t(key, fallback) { return form.getAttribute("data-t-" + key) || fallback; }

  function number() {
    rows.querySelectorAll("[data-row]").forEach(function (row, i) {
      var no = row.querySelector(".row-no");
      if (no) no.textContent = t("row", "第{n}条").replace("{n}", i + 1);
    });
  }

  function getJSON(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () { if (xhr.status === 200) done(JSON.parse(xhr.responseText).results || []); };
    xhr.send();
  }

  function debounce(fn, ms) {
    var t;
    return function () { var args = arguments, self = this; clearTimeout(t); t = setTimeout(function () { fn.apply(self, args); }, ms); };
  }

  function bindRow(row) {
    var input = row.querySelector(".outlet-input");
    var list = row.querySelector(".ac-list");
    var url = row.querySelector(".url-input");
    var suggest = row.querySelector(".suggest");
    var active = -1;

    function close() { list.hidden = true; list.innerHTML = ""; active = -1; }
    function choose(name) { input.value = name; close(); }
    function show(results) {
      list.innerHTML = "";
      // A late answer for a field the user has already left must not pop up over the next one.
      if (!results.length || document.activeElement !== input) { close(); return; }
      results.forEach(function (o) {
        var li = document.createElement("li");
        li.textContent = o.name;
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = o.level + " · " + o.category + (o.domains.length ? " · " + o.domains.join(" ") : "");
        li.appendChild(meta);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(o.name); });
        list.appendChild(li);
      });
      list.hidden = false;
    }
    var lookup = debounce(function () {
      var q = input.value.trim();
      if (!q) { close(); return; }
      getJSON(searchUrl + "?q=" + encodeURIComponent(q), show);
    }, 150);
    input.addEventListener("input", lookup);
    input.addEventListener("focus", lookup);
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li");
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach(function (li, i) { li.classList.toggle("active", i === active); });
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        choose(items[active].firstChild.textContent);
      } else if (e.key === "Escape") { close(); }
    });
    if (url) {
      url.addEventListener("change", function () {
        var v = url.value.trim();
        suggest.hidden = true;
        if (!v) return;
        getJSON(searchUrl + "?url=" + encodeURIComponent(v), function (results) {
          if (!results.length) return;
          var o = results[0];
          if (input.value.trim() === o.name) return;
          if (!input.value.trim()) { input.value = o.name; suggest.textContent = t("detected", "已按网址识别媒体:{name}").replace("{name}", o.name); suggest.hidden = false; return; }
          suggest.innerHTML = "";
          suggest.appendChild(document.createTextNode(t("belongs", "网址属于“{name}”,").replace("{name}", o.name)));
          var b = document.createElement("button");
          b.type = "button"; b.className = "btn plain small"; b.textContent = t("switch", "改为{name}").replace("{name}", o.name);
          b.addEventListener("click", function () { input.value = o.name; suggest.hidden = true; });
          suggest.appendChild(b);
          suggest.hidden = false;
        });
      });
    }
  }

  // --- what the proof says -------------------------------------------------------------------
  // A proof chosen in a row is uploaded at once (the server reads it in the background), its token kept
  // in the row's hidden field so the form attaches it on save; what was read is offered field by field
  // and only a tap puts it in. Without fetch (very old browsers) the file simply goes with the form.
  var stageUrl = form.getAttribute("data-stage-url");
  var readingTemplate = form.getAttribute("data-reading-url");
  var ZERO = "00000000-0000-0000-0000-000000000000";

  function csrf() {
    var el = form.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

  function fieldInput(row, field) {
    if (field === "title" || field === "characters") return document.getElementById("id_" + field);
    return row.querySelector("[name$='-" + field + "']");
  }

  function say(box, text, isError) {
    box.innerHTML = "";
    box.textContent = text;
    box.classList.toggle("error", !!isError);
    box.hidden = false;
  }

  function offer(row, box, name, suggestions) {
    box.innerHTML = "";
    box.classList.remove("error");
    var head = document.createElement("div");
    head.textContent = t("offer", "从佐证中识别出以下信息,核对后点“采用”填入(不会自动填写):");
    box.appendChild(head);
    var list = document.createElement("ul");
    var buttons = [];
    suggestions.forEach(function (s) {
      var input = fieldInput(row, s.field);
      if (!input) return;
      var li = document.createElement("li");
      li.setAttribute("data-field", s.field);
      var k = document.createElement("span"); k.className = "k"; k.textContent = s.label;
      var v = document.createElement("span"); v.className = "v"; v.textContent = s.text;
      li.appendChild(k); li.appendChild(v);
      if (String(input.value).trim() === String(s.value)) {
        var same = document.createElement("span"); same.className = "muted small"; same.textContent = "✓ " + t("same", "与所填一致");
        li.appendChild(same);
      } else {
        var b = document.createElement("button");
        b.type = "button"; b.className = "btn plain small accept"; b.textContent = t("accept", "采用");
        b.addEventListener("click", function () {
          input.value = s.value;
          b.disabled = true; b.textContent = "✓ " + t("accepted", "已采用");
        });
        buttons.push(b);
        li.appendChild(b);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    if (buttons.length > 1) {
      var all = document.createElement("button");
      all.type = "button"; all.className = "btn ok small accept-all"; all.textContent = t("accept-all", "全部采用");
      all.addEventListener("click", function () {
        buttons.forEach(function (b) { if (!b.disabled) b.click(); });
        all.disabled = true;
      });
      box.appendChild(all);
    }
    box.hidden = false;
  }

  function poll(row, box, url, name, every) {
    var tries = 0;
    function once() {
      tries += 1;
      var xhr = new XMLHttpRequest();
      xhr.open("GET", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (xhr.status !== 200) { box.hidden = true; return; }
        var data = JSON.parse(xhr.responseText);
        name = data.name || name;
        if (data.status === "pending") {
          say(box, t("reading", "已上传“{name}”,正在识别其中的文字…").replace("{name}", name));
          if (tries < 120) setTimeout(once, every); else say(box, t("slow", "识别时间较长,可先手工填写。"));
        } else if (data.suggestions && data.suggestions.length) {
          offer(row, box, name, data.suggestions);
        } else {
          say(box, data.status_text);
        }
      };
      xhr.send();
    }
    once();
  }

  function bindProof(row) {
    var box = row.querySelector(".proof-box");
    var hidden = row.querySelector(".staged-input");
    if (!box || !hidden || !stageUrl || !window.fetch || !window.FormData) return;
    var inputs = row.querySelectorAll("input[type=file]");
    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        if (!input.files || !input.files.length) return;
        var body = new FormData();
        body.append("file", input.files[0]);
        say(box, t("uploading", "正在上传佐证材料…"));
        fetch(stageUrl, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
          .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
          .then(function (res) {
            if (!res.ok) { say(box, res.j.error || t("stage-failed", "暂时无法预先上传"), true); input.value = ""; return; }
            hidden.value = res.j.token;
            // Uploaded already: the form sends the token, not the file a second time.
            inputs.forEach(function (other) { other.value = ""; });
            poll(row, box, res.j.reading_url, res.j.name, res.j.poll_ms || 1500);
          })
          .catch(function () { say(box, t("stage-failed", "暂时无法预先上传,保存稿件时将随表单一并上传。")); });
      });
    });
    // The form came back with an error: the proof is still staged, show what was read again.
    if (hidden.value) poll(row, box, readingTemplate.replace(ZERO, hidden.value), "", 1500);
  }

  rows.querySelectorAll("[data-row]").forEach(bindRow);
  rows.querySelectorAll("[data-row]").forEach(bindProof);
  number();
  var add = document.getElementById("add-pub");  // absent on the 补登刊发 page (one row)
  if (add) add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var wrap = document.createElement("div");
    wrap.innerHTML = html.trim();
    var row = wrap.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    bindRow(row);
    bindProof(row);
    number();
    row.querySelector(".outlet-input").focus();
  });
})();
