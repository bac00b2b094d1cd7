// ModelLoop dashboard: small helpers around uPlot (charts) and EventSource (live run curves). No build step.
"use strict";
const ml = {
  palette: ["#0b57d0", "#b3261e", "#1a7f37", "#8250df", "#bf8700", "#0a7ea4", "#cf222e", "#57606a"],

  // Draws a line chart into `el`. data: [xs, ys1, ys2, ...] (uPlot's columns); names: one per y series.
  chart(el, title, names, data, opts = {}) {
    el.innerHTML = "";
    const series = [{ label: opts.xLabel || "step" }].concat(names.map((n, i) => ({
      label: n, stroke: ml.palette[i % ml.palette.length], width: 2, spanGaps: true, points: { show: data[0].length < 60 },
    })));
    const width = Math.max(320, (el.clientWidth || 600) - 40); // inside the card's padding
    return new uPlot({ title, width, height: opts.height || 260, series, scales: { x: { time: !!opts.time } }, axes: [{}, { size: 60 }] }, data, el);
  },

  // Charts every metric of the runs whose curves `/ui/runs/curves` returns, one chart per metric key.
  async runCurves(container, runIds, labels) {
    const query = runIds.map(id => "id=" + encodeURIComponent(id)).join("&");
    const curves = await (await fetch("/ui/runs/curves?" + query, { credentials: "same-origin" })).json();
    container.innerHTML = "";
    const charts = {};
    for (const key of Object.keys(curves).sort()) {
      const byRun = curves[key];
      const ids = runIds.filter(id => byRun[id]);
      const joined = uPlot.join(ids.map(id => byRun[id]));
      const box = document.createElement("figure");
      box.className = "card";
      box.setAttribute("aria-label", "Curve of " + key);
      box.dataset.metric = key;
      container.appendChild(box);
      charts[key] = { plot: ml.chart(box, key, ids.map(id => labels[id] || id), joined), ids, raw: ids.map(id => byRun[id]) };
    }
    return charts;
  },

  // Appends a running run's new points (server-sent events) to its charts; calls onEnd when the run stops.
  live(runId, charts, container, onEnd) {
    const source = new EventSource("/ui/runs/" + encodeURIComponent(runId) + "/events");
    source.addEventListener("points", ev => {
      const fresh = JSON.parse(ev.data);
      for (const [key, cols] of Object.entries(fresh)) {
        let c = charts[key];
        if (!c) {
          const box = document.createElement("figure");
          box.className = "card";
          box.dataset.metric = key;
          container.appendChild(box);
          c = charts[key] = { plot: null, ids: [runId], raw: [[[], []]] };
          c.box = box;
        }
        const raw = c.raw[0];
        for (let i = 0; i < cols[0].length; i++) {
          if (raw[0].length && cols[0][i] <= raw[0][raw[0].length - 1]) continue;
          raw[0].push(cols[0][i]); raw[1].push(cols[1][i]);
        }
        if (c.plot) c.plot.setData([raw[0].slice(), raw[1].slice()]);
        else c.plot = ml.chart(c.box, key, [runId], [raw[0].slice(), raw[1].slice()]);
        const counter = document.getElementById("live-points");
        if (counter) counter.textContent = String(Object.values(charts).reduce((n, x) => n + x.raw[0][0].length, 0));
      }
    });
    source.addEventListener("end", ev => { source.close(); if (onEnd) onEnd(JSON.parse(ev.data)); });
    return source;
  },

  // Reads a JSON island (<script type="application/json" id=...>).
  data(id) { return JSON.parse(document.getElementById(id).textContent); },
};
