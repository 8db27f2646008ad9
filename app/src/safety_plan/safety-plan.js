/* My safety plan (safety_plan/mod.rs). Kept only in this browser, and only once the
   person turns "keep" on (localStorage "anxin.safety-plan"): never sent anywhere, no
   request, no cookie, no form. Nothing is written before they choose to keep it.
   ES5 and feature-detected for old in-app browsers (storage can throw when blocked).
   Texts come from the page; without this script the page is fill-in-and-print. */
(function () {
  var KEY = "anxin.safety-plan", d = document, store = null, saved = null;
  var plan = d.getElementById("safety-plan");
  if (!plan || !plan.querySelectorAll || !window.JSON) return;
  function all(q) { return Array.prototype.slice.call(plan.querySelectorAll(q)); }
  function one(q) { return plan.querySelector(q); }
  var fields = all("textarea[data-step]"), keep = one("[data-keep]"), status = one("[data-status]");
  function say(which) { status.textContent = status.getAttribute("data-" + which) || ""; }
  // A textarea prints only what fits its box: a print-only copy holds all of it.
  function mirror(el) {
    var copy = el.parentNode.querySelector("[data-print-copy]");
    if (copy) copy.textContent = el.value;
  }
  function read() {
    var s = null;
    try { s = JSON.parse(store.getItem(KEY) || "null"); } catch (e) { return null; }
    return s && typeof s.f === "object" && s.f ? s : null;
  }
  // Only what differs from the page's own text: step 5 follows the site's lines until edited.
  function write() {
    var f = {};
    fields.forEach(function (el) {
      if (el.value !== el.defaultValue) f[el.getAttribute("data-step")] = el.value;
    });
    try { store.setItem(KEY, JSON.stringify({ v: 1, f: f })); return true; } catch (e) { return false; }
  }
  function remove() { try { if (store) store.removeItem(KEY); } catch (e) {} }

  try { store = window.localStorage || null; if (store) saved = read(); } catch (e) { store = null; }
  one("[data-needs-script]").hidden = true;
  one("[data-plan-controls]").hidden = false;
  one("[data-no-storage]").hidden = !!store;
  all("[data-keep-box]").forEach(function (el) { el.hidden = !store; });
  if (window.print) one("[data-print-box]").hidden = false;
  plan.className += " plan-mirrored";
  // For the print rules, in engines without :has() (older in-app browsers).
  d.documentElement.className += " plan-page";
  if (saved) {
    keep.checked = true;
    fields.forEach(function (el) {
      var v = saved.f[el.getAttribute("data-step")];
      if (typeof v === "string") el.value = v.slice(0, 20000);
    });
  } else {
    keep.checked = false;
  }
  fields.forEach(mirror);

  plan.addEventListener("input", function (e) {
    var el = e.target;
    if (!el || !el.getAttribute || el.getAttribute("data-step") === null) return;
    mirror(el);
    if (keep.checked && store && !write()) say("full");
  });
  keep.addEventListener("change", function () {
    if (!store) { keep.checked = false; return; }
    if (keep.checked) {
      // A first write that fails with nothing kept yet means this browser keeps
      // nothing (old private modes throw on every write): say so, not "full".
      if (write()) say("kept"); else {
        keep.checked = false; remove();
        one("[data-no-storage]").hidden = false;
        all("[data-keep-box]").forEach(function (el) { el.hidden = true; });
      }
    } else {
      remove(); say("unkept");
    }
  });
  one("[data-forget]").addEventListener("click", function () {
    remove();
    keep.checked = false;
    fields.forEach(function (el) { el.value = el.defaultValue; mirror(el); });
    say("forgotten");
  });
  one("[data-print]").addEventListener("click", function () { fields.forEach(mirror); window.print(); });
  if (window.addEventListener) window.addEventListener("beforeprint", function () { fields.forEach(mirror); });
})();
