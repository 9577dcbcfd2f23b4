// govreport review: keyboard shortcuts. Plain JS, no dependencies; the pages work without it.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function click(id) {
    var el = document.getElementById(id);
    if (el && !el.disabled && !el.closest("fieldset[disabled]")) { el.click(); return true; }
    return false;
  }

  function go(id) {
    var el = document.getElementById(id);
    if (el && el.href) { window.location.href = el.href; return true; }
    return false;
  }

  function itemPage(e) {
    var box = document.getElementById("correction");
    if (typing(e.target)) {
      if (e.target === box && e.key === "Enter") { e.preventDefault(); click("save-btn"); }
      else if (e.key === "Escape") { e.target.blur(); }
      return;
    }
    var k = e.key, done = false;
    if (k === "a") done = click("accept-btn");
    else if (k === "1" || k === "2" || k === "3") done = click("suggestion-" + k);
    else if (k === "e") { if (box && !box.closest("fieldset[disabled]")) { box.focus(); box.select(); done = true; } }
    else if (k === "s") done = click("skip-btn");
    else if (k === "j") done = go("next-link");
    else if (k === "k") done = go("prev-link");
    if (done) e.preventDefault();
  }

  function queuePage(e) {
    if (typing(e.target)) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.item-row"));
    if (!rows.length) return;
    var cur = rows.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = cur;
    if (e.key === "j") next = Math.min(rows.length - 1, cur + 1);
    else if (e.key === "k") next = Math.max(0, cur - 1);
    else if (e.key === "Enter" && cur >= 0) { window.location.href = rows[cur].dataset.href; e.preventDefault(); return; }
    else return;
    e.preventDefault();
    if (cur >= 0) rows[cur].classList.remove("selected");
    rows[next].classList.add("selected");
    rows[next].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.body.classList.contains("item-page")) itemPage(e);
    else if (document.body.classList.contains("queue")) queuePage(e);
  });

  // Submitting twice (a key held down) would send a stale version the second time.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.dataset.sent) { e.preventDefault(); return; }
    f.dataset.sent = "1";
  });
})();
window.addEventListener("pageshow", function () {
  Array.prototype.forEach.call(document.forms, function (f) { delete f.dataset.sent; });
});
