"""The explorer page: HTML, CSS and script in one string; `__DATA__` is replaced by the JSON.

Colour code as everywhere in the reports: red for a violation, green for a witness, dashed for
environment events.  Element ids and classes are the page's contract with tests/test_explorer.py.
"""

PAGE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>pmipmc trace explorer</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin:.8em 0 .3em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}
#matrix td.violated{background:#fde0e0}#matrix td.witnessed{background:#e0f5e0}
#matrix td.new{outline:2px solid #c00000}
#matrix button{font:inherit;cursor:pointer;border:0;background:none;text-decoration:underline;color:#0645ad}
#viewer{display:none}#viewer.open{display:block}
.cols{display:flex;gap:1em;flex-wrap:wrap}.col{flex:1 1 24em;min-width:20em}.col.wide{flex:2 1 44em}
#steps li{cursor:pointer}#steps li.current{font-weight:bold;background:#fff3c4}
#steps li.env{font-style:italic}
#state-table td.changed{background:#ffe08a;font-weight:bold}
#props li.violated{color:#c00000;font-weight:bold}#props li.witnessed{color:#007a00}
#props li.na,#props li.not-yet{color:#888}
#enabled li.taken{font-weight:bold}#enabled li.env{font-style:italic}
svg text{font:11px system-ui,sans-serif}
.ev line,.ev path{stroke:#555;fill:none}.ev.env line{stroke-dasharray:4 3}
.ev.current line,.ev.current rect{stroke:#0645ad;stroke-width:2.5}.ev.current text{font-weight:bold;fill:#0645ad}
.ev.future{opacity:.25}.ev.violation text{fill:#c00000}.ev.witness text{fill:#007a00}
.node rect{fill:#f6f6f6;stroke:#555}.node.offending rect{stroke:#c00000;stroke-width:2}
.edge.tunnel{stroke:#1f4fd1;stroke-width:3}.edge.half{stroke:#1f4fd1;stroke-dasharray:5 4}
.edge.attach{stroke:#999}.edge.unicast{stroke:#666;stroke-width:2}.edge.offending{stroke:#c00000}
#step-label{font-weight:bold}
#chart,#topology{overflow:auto;max-width:100%}
</style></head><body>
<h1>pmipmc trace explorer</h1>
<p id="summary"></p>
<h2>Verdicts</h2>
<table id="matrix"></table>
<div id="viewer">
<h2 id="trace-title"></h2>
<p id="trace-claim"></p>
<p><button id="first">|&lt;</button> <button id="prev">&lt; prev</button>
<button id="next">next &gt;</button> <button id="last">&gt;|</button>
<span id="step-label"></span></p>
<div class="cols">
<div class="col"><h2>Steps</h2><ol id="steps" start="0"></ol>
<h2>Enabled here</h2><ul id="enabled"></ul></div>
<div class="col wide"><h2>Sequence chart</h2><div id="chart"></div>
<h2>Topology</h2><div id="topology"></div></div>
<div class="col"><h2>Properties at this state</h2><ul id="props"></ul></div>
<div class="col"><h2>State</h2>
<label><input type="checkbox" id="all-slots"> show every slot (default: set or changed ones)</label>
<table id="state-table"><thead><tr><th>slot</th><th>value</th></tr></thead><tbody></tbody></table></div>
</div></div>
<script type="application/json" id="data">__DATA__</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const BLANK = new Set(["0", "none", "idle"]);
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const SVG = "http://www.w3.org/2000/svg";
let cur = null;

function el(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

function matrix() {
  $("summary").textContent = `Preset(s): ${D.presets.join(", ")}. ${Object.keys(D.traces).length} traces. ` +
    "Click a verdict with a trace to step through it.";
  const head = "<tr><th>property</th><th>kind</th>" + D.variants.map((v) => `<th>${esc(v)}</th>`).join("") + "</tr>";
  const rows = D.properties.map((p) => {
    const cells = D.variants.map((v) => {
      const c = (D.matrix[p.name] || {})[v];
      if (!c) return "<td>-</td>";
      const cls = [c.shown.startsWith("VIOLATED") ? "violated" : "", c.shown === "WITNESSED" ? "witnessed" : "",
                   c.expected ? "" : "new"].join(" ");
      const body = c.trace ? `<button data-trace="${esc(c.trace)}">${esc(c.shown)}</button>` : esc(c.shown);
      return `<td class="${cls}">${body}${c.expected ? "" : " NEW"}</td>`;
    }).join("");
    return `<tr data-prop="${esc(p.name)}"><td title="${esc(p.statement)}">${esc(p.name)}</td><td>${esc(p.kind)}</td>${cells}</tr>`;
  });
  $("matrix").innerHTML = head + rows.join("");
  $("matrix").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-trace]");
    if (b) open(b.dataset.trace);
  });
}

function stateAt(t, k) {
  const s = Object.assign({}, t.init);
  for (const st of t.steps.slice(0, k)) for (const [slot, , after] of st.delta) s[slot] = after;
  return s;
}

function open(id) {
  const t = D.traces[id];
  cur = {id, t, k: 0};
  $("viewer").className = "open";
  $("trace-title").textContent = `${t.kind === "reachable" ? "Witness" : "Counterexample"}: ${t.property} ` +
    `(${t.variant}, ${t.preset})`;
  $("trace-claim").textContent = `${t.statement} [${t.cites}]`;
  $("steps").innerHTML = `<li data-k="0">initial state</li>` + t.steps.map((s, i) =>
    `<li data-k="${i + 1}" class="${s.env ? "env" : ""}">${esc(s.rule)}(${esc(s.args.join(", "))}) ` +
    `<small>[${esc(s.cites)}]${s.env ? " (environment)" : ""}</small></li>`).join("");
  show(0);
  $("viewer").scrollIntoView();
}

function show(k) {
  const t = cur.t;
  k = Math.max(0, Math.min(k, t.steps.length));
  cur.k = k;
  const st = k ? t.steps[k - 1] : null;
  $("step-label").textContent = st ? `Step ${k} of ${t.steps.length}: ${st.rule}(${st.args.join(", ")}) [${st.cites}]`
                                   : `Initial state (${t.steps.length} steps)`;
  for (const li of $("steps").children) li.classList.toggle("current", Number(li.dataset.k) === k);
  stateTable(t, k, st);
  props(t, k);
  enabled(t, k);
  chart(t, k);
  topology(t, k);
}

function stateTable(t, k, st) {
  const s = stateAt(t, k), changed = new Map((st ? st.delta : []).map((d) => [d[0], d[1]]));
  const all = $("all-slots").checked;
  $("state-table").tBodies[0].innerHTML = Object.keys(s).filter((n) => all || !BLANK.has(s[n]) || changed.has(n))
    .map((n) => `<tr data-slot="${esc(n)}"><td>${esc(n)}</td><td class="${changed.has(n) ? "changed" : ""}" ` +
      `title="${changed.has(n) ? "was " + esc(changed.get(n)) : ""}">${esc(s[n])}</td></tr>`).join("");
}

function props(t, k) {
  const q = t.quiescent[k];
  $("props").innerHTML = `<li class="na">${q ? "quiescent: no protocol rule enabled" : "not quiescent"}</li>` +
    D.prop_order.map((name, i) => {
      const v = t.holds[k][i], cls = v.replace(" ", "-");
      const mark = name === t.property ? " &larr; this trace" : "";
      return `<li data-prop="${esc(name)}" class="${cls}">${esc(name)}: ${esc(v)}${mark}</li>`;
    }).join("");
}

function enabled(t, k) {
  const list = t.enabled[k];
  $("enabled").innerHTML = list.length ? list.map((e) =>
    `<li class="${e.taken ? "taken" : ""} ${e.env ? "env" : ""}">${esc(e.label)}${e.taken ? " &larr; taken" : ""}` +
    `${e.env ? " (environment)" : ""}</li>`).join("") : "<li>nothing: a dead end</li>";
}

function chart(t, k) {
  const box = $("chart");
  box.innerHTML = "";
  if (!t.lifelines) return;
  const lanes = t.lifelines, W = 110, H = 26, x = {};
  lanes.forEach((n, i) => { x[n] = 60 + i * W; });
  const evs = t.events, height = 40 + (evs.length + 1) * H;
  const svg = el("svg", {width: 60 + lanes.length * W + 160, height, id: "chart-svg"});   // room for the last lane's labels
  lanes.forEach((n) => {
    svg.appendChild(el("text", {x: x[n], y: 14, "text-anchor": "middle"}, n));
    svg.appendChild(el("line", {x1: x[n], y1: 20, x2: x[n], y2: height, stroke: "#bbb"}));
  });
  evs.forEach((e, i) => {
    const y = 40 + i * H, final = e.step === null;
    const cls = ["ev", e.kind === "env" ? "env" : "", e.kind === "violation" ? (t.kind === "reachable" ? "witness" : "violation") : "",
                 (final ? k === t.steps.length : e.step === k) ? "current" : "",
                 (final ? k < t.steps.length : e.step > k) ? "future" : ""].join(" ");
    const g = el("g", {class: cls, "data-step": final ? "" : e.step});
    const a = x[e.src] || 30, b = e.dst && x[e.dst] !== undefined ? x[e.dst] : a;
    const label = (e.step ? e.step + ". " : "") + e.label;
    if (b !== a) {
      g.appendChild(el("line", {x1: a, y1: y, x2: b, y2: y}));
      g.appendChild(el("path", {d: `M${b} ${y} l${b > a ? -7 : 7} -4 v8 z`, fill: "#555"}));
      if (e.bidir) g.appendChild(el("path", {d: `M${a} ${y} l${b > a ? 7 : -7} -4 v8 z`, fill: "#555"}));
      g.appendChild(el("text", {x: (a + b) / 2, y: y - 4, "text-anchor": "middle"}, label));
    } else {
      g.appendChild(el("rect", {x: a - 4, y: y - 4, width: 8, height: 8, fill: "#ddd", stroke: "#555"}));
      g.appendChild(el("text", {x: a + 8, y: y + 4}, label));
    }
    svg.appendChild(g);
  });
  box.appendChild(svg);
}

function topology(t, k) {
  const box = $("topology");
  box.innerHTML = "";
  if (!t.topology) return;
  const g = t.topology[k], pos = {};
  // rows as the narrator gives them: nodes without a rank first, then one row per rank in order
  const rows = [g.nodes.filter((n) => !n.rank)];
  for (const n of g.nodes) {
    if (!n.rank) continue;
    const row = rows.find((r) => r.length && r[0].rank === n.rank);
    if (row) row.push(n); else rows.push([n]);
  }
  const width = Math.max(3, ...rows.map((r) => r.length)) * 190, height = 50 + (rows.length - 1) * 120;
  rows.forEach((list, j) => list.forEach((n, i) => { pos[n.id] = [(i + 0.5) * width / list.length, 30 + j * 120]; }));
  const svg = el("svg", {width, height, id: "topology-svg"});
  for (const e of g.edges) {
    const [a, b] = [pos[e.src], pos[e.dst]];
    if (!a || !b) continue;
    const bend = e.style === "tunnel" || e.style === "half" ? 60 : 0;
    svg.appendChild(el("path", {d: `M${a[0]} ${a[1]} Q${(a[0] + b[0]) / 2} ${(a[1] + b[1]) / 2 + bend} ${b[0]} ${b[1]}`,
      class: `edge ${e.style} ${e.offending ? "offending" : ""}`, fill: "none", "data-src": e.src, "data-dst": e.dst}));
    if (e.label) svg.appendChild(el("text", {x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 + bend / 2 + 12,
      "text-anchor": "middle"}, e.label));
  }
  for (const n of g.nodes) {
    const [cx, cy] = pos[n.id], lines = n.label.split("\n").filter((s) => s);
    const node = el("g", {class: `node ${n.offending ? "offending" : ""}`, "data-node": n.id});
    const w = Math.max(...lines.map((s) => s.length)) * 6.2 + 12, h = lines.length * 14 + 8;
    node.appendChild(el("rect", {x: cx - w / 2, y: cy - h / 2, width: w, height: h, rx: 4}));
    lines.forEach((s, i) => node.appendChild(el("text", {x: cx, y: cy - h / 2 + 16 + i * 14, "text-anchor": "middle"}, s)));
    svg.appendChild(node);
  }
  for (const note of g.notes || []) svg.appendChild(el("title", {}, note));
  box.appendChild(svg);
}

$("prev").onclick = () => cur && show(cur.k - 1);
$("next").onclick = () => cur && show(cur.k + 1);
$("first").onclick = () => cur && show(0);
$("last").onclick = () => cur && show(cur.t.steps.length);
$("all-slots").onchange = () => cur && show(cur.k);
$("steps").addEventListener("click", (e) => { const li = e.target.closest("li"); if (li) show(Number(li.dataset.k)); });
document.addEventListener("keydown", (e) => {
  if (!cur) return;
  if (e.key === "ArrowRight") show(cur.k + 1);
  if (e.key === "ArrowLeft") show(cur.k - 1);
});
matrix();
const hash = decodeURIComponent(location.hash.slice(1));
if (D.traces[hash]) open(hash);
</script></body></html>
"""
