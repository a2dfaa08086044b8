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

  rows.querySelectorAll("[data-row]").forEach(bindRow);
  number();
  document.getElementById("add-pub").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var wrap = document.createElement("div");
    wrap.innerHTML = html.trim();
    var row = wrap.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    bindRow(row);
    number();
    row.querySelector(".outlet-input").focus();
  });
})();
