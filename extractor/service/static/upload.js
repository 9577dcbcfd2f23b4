// The upload page: drag and drop or pick files, POST them to /api/documents, then poll
// /api/documents?ids=… every second until every file is ok, review or failed. No libraries.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = document.getElementById("upload-form");
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  const table = document.getElementById("progress");
  const body = table.querySelector("tbody");
  const errorBox = document.getElementById("upload-error");
  const FINAL = new Set(["ok", "review", "failed"]);
  let ids = (table.dataset.ids || "").split(",").filter(Boolean).map(Number);
  let timer = null;

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value == null ? "" : String(value);
    if (cls) el.className = cls;
    return el;
  }

  function row(d) {
    let tr = body.querySelector('tr[data-id="' + d.id + '"]');
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.id = d.id;
      body.appendChild(tr);
    }
    tr.replaceChildren();
    tr.dataset.status = d.status;
    tr.appendChild(text("td", d.id));
    tr.appendChild(text("td", d.name + (d.duplicate ? " (already stored)" : "")));
    const st = document.createElement("td");
    st.appendChild(text("span", d.status, "st st-" + d.status));
    tr.appendChild(st);
    const rep = document.createElement("td");
    if (d.report_id) {
      const a = text("a", "report " + d.report_id);
      a.href = "/reports/" + d.report_id;
      rep.appendChild(a);
    }
    tr.appendChild(rep);
    const total = Object.values(d.timings || {}).reduce(function (a, b) { return a + (+b || 0); }, 0);
    let when = total ? total.toFixed(2) + " s" : "";
    if (d.status === "running" && d.started_at) {  // how long it has been running so far
      when = Math.max(0, (Date.now() - Date.parse(d.started_at)) / 1000).toFixed(0) + " s so far";
    } else if (d.status === "queued") {
      when = "waiting";
    }
    tr.appendChild(text("td", when));
    tr.appendChild(text("td", (d.errors || []).map(function (e) { return e.message; }).join("; ")));
  }

  async function poll() {
    if (!ids.length) return;
    const r = await fetch("/api/documents?ids=" + ids.join(","), { headers: { Accept: "application/json" } });
    if (!r.ok) { timer = setTimeout(poll, 3000); return; }
    const docs = await r.json();
    docs.forEach(row);
    table.hidden = false;
    if (docs.some(function (d) { return !FINAL.has(d.status); })) timer = setTimeout(poll, 1000);
    else table.dataset.done = "1";
  }

  async function send(files) {
    if (!files.length) return;
    errorBox.hidden = true;
    const data = new FormData();
    for (const f of files) data.append("files", f, f.name);
    table.hidden = false;
    table.dataset.done = "";
    const r = await fetch("/api/documents", { method: "POST", body: data, headers: { "X-CSRF-Token": csrf, Accept: "application/json" } });
    const out = await r.json().catch(function () { return {}; });
    if (r.status !== 202) {
      errorBox.textContent = "Not uploaded (" + r.status + "): " + (out.detail || r.statusText);
      errorBox.hidden = false;
      return;
    }
    out.documents.forEach(function (d) { ids.push(d.id); row(Object.assign({ errors: [], timings: {} }, d)); });
    if (timer) clearTimeout(timer);
    poll();
  }

  if (form) {
    input.addEventListener("change", function () { send(input.files); input.value = ""; });
    form.addEventListener("submit", function (e) { e.preventDefault(); send(input.files); });
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) { send(e.dataTransfer.files); });
  }
  poll();
})();
