/* Reading progress, kept only in this browser (localStorage "anxin.progress"): never
   sent anywhere, no cookie, no request. Off until the reader turns it on; one tap
   forgets it all. ES5 and feature-detected for old in-app browsers. Texts come from
   the page (rendered from the i18n files); this script only shows, hides and counts.
   The "my" page adds progress-my.js (its list, and moving progress by a code). */
(function () {
  var KEY = "anxin.progress", ASKED = "anxin.progress.asked", d = document, s;
  var panel = d.querySelector("[data-progress]");
  if (!panel || !window.JSON || !d.querySelectorAll) return;
  try { s = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return; }
  var needs = d.querySelector("[data-needs-script]");
  if (needs) needs.hidden = true;
  var PAGE = /^\/(zh|en)\/(courses|lessons|articles)\/\d+$/;
  function all(q, root) { return Array.prototype.slice.call((root || d).querySelectorAll(q)); }
  function one(q) { return panel.querySelector(q); }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(s)); } catch (e) {} }
  function sane(x) {
    var out = { v: 1, items: {} }, k, i;
    if (!x || typeof x.items !== "object") return null;
    for (k in x.items) {
      i = x.items[k];
      if (/^[cla][0-9a-z]{1,13}$/.test(k) && i && typeof i.t === "string" && PAGE.test(i.u)) {
        out.items[k] = { t: i.t.slice(0, 200), u: i.u, c: /^c[0-9a-z]{1,13}$/.test(i.c) ? i.c : undefined,
          n: +i.n || undefined, d: i.d ? 1 : 0, at: +i.at || 0 };
      }
    }
    return out;
  }
  function fill(el, text, n, t) { el.textContent = text.replace("#d", n).replace("#t", t); }
  function render() {
    var on = !!s, asked = false;
    try { asked = sessionStorage.getItem(ASKED) === "1"; } catch (e) {}
    panel.hidden = false;
    // "Not now" holds on lessons for this session; the "my" page always offers it.
    one("[data-ask]").hidden = on || (asked && !!panel.getAttribute("data-item"));
    one("[data-on-only]").hidden = !on;
    if (!on) return;
    var here = panel.getAttribute("data-item"), box = one("[data-done]");
    if (here) {
      var it = s.items[here] || { d: 0 };
      it.t = panel.getAttribute("data-title");
      it.u = location.pathname;
      it.c = panel.getAttribute("data-course") || it.c;
      it.n = +panel.getAttribute("data-lessons") || it.n;
      it.at = new Date().getTime();
      s.items[here] = it;
      save();
      if (box) box.checked = !!it.d;
    }
    var lessons = all("[data-lesson]"), done = 0, last = null;
    lessons.forEach(function (li) {
      var it = s.items[li.getAttribute("data-lesson")];
      if (it && it.d) { done++; li.querySelector(".done-mark").hidden = false; }
      if (it && !it.d && (!last || it.at > last.at)) last = it;
    });
    var bar = one("progress");
    if (bar && lessons.length) {
      bar.value = done;
      fill(one("[data-count]"), one("[data-count]").getAttribute("data-count"), done, lessons.length);
      one("[data-course-progress]").hidden = false;
    }
    var next = one("[data-continue]");
    if (next && last) { next.href = last.u; next.querySelector("span").textContent = last.t; next.hidden = false; }
    if (window.anxinProgress.list) window.anxinProgress.list(); // the "my" page's part
  }
  function on(q, type, f) { var el = one(q); if (el) el.addEventListener(type, f); }
  on("[data-on]", "click", function () { s = s || { v: 1, items: {} }; save(); render(); });
  on("[data-off]", "click", function () { try { sessionStorage.setItem(ASKED, "1"); } catch (e) {} render(); });
  on("[data-done]", "change", function (e) {
    var it = s && s.items[panel.getAttribute("data-item")];
    if (it) { it.d = e.target.checked ? 1 : 0; save(); }
  });
  on("[data-forget]", "click", function () {
    try { localStorage.removeItem(KEY); sessionStorage.removeItem(ASKED); } catch (e) {}
    s = null; render(); one("[data-status]").textContent = one("[data-forget]").getAttribute("data-done");
  });
  // What the "my" page's script (progress-my.js) works with.
  window.anxinProgress = {
    get: function () { return s; },
    set: function (value) { s = value; save(); render(); },
    sane: sane, one: one, fill: fill, on: on, render: render
  };
  if (s) s = sane(s);
  render();
})();
