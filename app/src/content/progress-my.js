/* The "my learning" page's part of progress.js: the list of what this browser has
   read, and moving it to another device as a code (never through the server). */
(function () {
  var P = window.anxinProgress, d = document;
  if (!P) return;
  var one = P.one, fill = P.fill;
  function mine(list) {
    var s = P.get();
    var keys = Object.keys(s.items).sort(function (a, b) { return s.items[b].at - s.items[a].at; });
    list.textContent = "";
    one("[data-empty]").hidden = keys.length > 0;
    keys.forEach(function (k) {
      var it = s.items[k], li = d.createElement("li"), a = d.createElement("a"), note = d.createElement("span");
      a.href = it.u; a.textContent = it.t; note.className = "muted";
      if (k.charAt(0) === "c") {
        var n = 0;
        for (var j in s.items) if (s.items[j].c === k && s.items[j].d) n++;
        if (it.n) fill(note, list.getAttribute("data-count"), n, it.n);
      } else if (it.d) note.textContent = list.getAttribute("data-done");
      li.appendChild(a); li.appendChild(d.createTextNode(" ")); li.appendChild(note);
      list.appendChild(li);
    });
  }
  P.list = function () {
    var list = one("[data-list]");
    if (list && P.get()) mine(list);
  };
  P.on("[data-export]", "click", function () {
    var code = one("[data-code]");
    code.value = "ANXIN1." + btoa(unescape(encodeURIComponent(JSON.stringify(P.get()))));
    code.hidden = false; code.focus(); code.select();
  });
  P.on("[data-import-go]", "click", function () {
    var text = one("[data-import]").value.replace(/\s+/g, ""), got = null, k;
    try { got = P.sane(JSON.parse(decodeURIComponent(escape(atob(text.replace(/^ANXIN1\./, "")))))); } catch (e) {}
    var status = one("[data-status]");
    if (!got) { status.textContent = status.getAttribute("data-bad"); return; }
    var s = P.get() || { v: 1, items: {} };
    for (k in got.items) if (!s.items[k] || s.items[k].at < got.items[k].at) s.items[k] = got.items[k];
    P.set(s);
    status.textContent = status.getAttribute("data-good");
  });
  P.render();
})();
