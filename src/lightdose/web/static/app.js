/* lightdose web app: draws the interactive charts of the pages from their data-chart specifications
   (lightdose/web/charts.py). Line charts use the vendored uPlot (hover read-out in the legend, drag to zoom,
   double-click to reset); irradiance maps are drawn on a canvas with a hover read-out. No inline script anywhere:
   the pages' Content-Security-Policy allows scripts from this origin only. */
"use strict";
(function () {
  var PALETTE = ["#c0392b", "#1f6fb2", "#2e8b57", "#8e44ad", "#d35400", "#555555"];

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) { return "–"; }
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) { return v.toExponential(2); }
    return String(Number(v.toPrecision(3)));
  }

  function drawBands(u, spec) {
    var ctx = u.ctx, box = u.bbox;
    ctx.save();
    (spec.xBands || []).forEach(function (b, i) {
      var x0 = Math.max(box.left, u.valToPos(b.from, "x", true));
      var x1 = Math.min(box.left + box.width, u.valToPos(b.to, "x", true));
      if (x1 <= x0) { return; }
      ctx.fillStyle = i % 2 ? "rgba(142, 68, 173, 0.12)" : "rgba(230, 126, 34, 0.16)";
      ctx.fillRect(x0, box.top, x1 - x0, box.height);
      ctx.fillStyle = "#7a4a12";
      ctx.font = Math.round(11 * devicePixelRatio) + "px sans-serif";
      ctx.fillText(b.label, x0 + 4 * devicePixelRatio, box.top + (14 + 14 * i) * devicePixelRatio);
    });
    (spec.yBands || []).forEach(function (b) {
      var y0 = Math.max(box.top, u.valToPos(b.to, "y", true));
      var y1 = Math.min(box.top + box.height, u.valToPos(b.from, "y", true));
      if (y1 <= y0) { return; }
      ctx.fillStyle = "rgba(46, 139, 87, 0.12)";
      ctx.fillRect(box.left, y0, box.width, y1 - y0);
      ctx.fillStyle = "#1e6b41";
      ctx.font = Math.round(11 * devicePixelRatio) + "px sans-serif";
      ctx.fillText(b.label, box.left + box.width - ctx.measureText(b.label).width - 6, y0 + 13 * devicePixelRatio);
    });
    ctx.strokeStyle = "#999999";
    ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
    (spec.xMarks || []).forEach(function (m) {
      var x = u.valToPos(m.at, "x", true);
      if (x < box.left || x > box.left + box.width) { return; }
      ctx.beginPath();
      ctx.moveTo(x, box.top);
      ctx.lineTo(x, box.top + box.height);
      ctx.stroke();
    });
    ctx.restore();
  }

  function lineChart(box, spec) {
    var width = Math.max(280, Math.min(box.clientWidth || 640, 900));
    var height = Math.round(Math.max(220, Math.min(360, width * 0.5)));
    var value = function (u, v) { return fmt(v); };
    var series = [{ label: spec.xLabel, value: value }];
    var data = [spec.x];
    spec.series.forEach(function (s, i) {
      series.push({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2, value: value,
                    scale: s.axis === "y2" ? "y2" : "y" });
      data.push(s.values);
    });
    var ticks = function (u, values) { return values.map(fmt); };
    var axes = [{ label: spec.xLabel, values: ticks }, { label: spec.yLabel, scale: "y", values: ticks, size: 60 }];
    var scales = { x: { time: false }, y: { distr: spec.log ? 3 : 1 } };
    if (spec.y2Label) {
      axes.push({ label: spec.y2Label, scale: "y2", side: 1, grid: { show: false }, values: ticks, size: 60 });
      scales.y2 = { distr: 1 };
    }
    var plot = new uPlot({
      width: width, height: height, series: series, axes: axes, scales: scales,
      cursor: { drag: { x: true, y: false } },
      hooks: { drawClear: [function (u) { drawBands(u, spec); }] }
    }, data, box);
    box.uplot = plot;
  }

  var STOPS = [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]];

  function colour(t) {
    t = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
    var i = Math.min(STOPS.length - 2, Math.floor(t)), f = t - i, a = STOPS[i], b = STOPS[i + 1];
    return "rgb(" + [0, 1, 2].map(function (k) { return Math.round(a[k] + f * (b[k] - a[k])); }).join(",") + ")";
  }

  function mapChart(box, spec) {
    var nx = spec.x.length, ny = spec.y.length;
    var size = Math.max(220, Math.min(box.clientWidth || 420, 480));
    var aspect = Math.max(0.25, Math.min(2.5, (spec.y[ny - 1] - spec.y[0]) / (spec.x[nx - 1] - spec.x[0] || 1)));
    var ratio = window.devicePixelRatio || 1;
    var canvas = document.createElement("canvas");
    canvas.className = "map";
    canvas.width = Math.round(size * ratio);
    canvas.height = Math.round(size * aspect * ratio);
    canvas.style.width = size + "px";
    canvas.style.height = Math.round(size * aspect) + "px";
    var readout = document.createElement("p");
    readout.className = "readout";
    readout.textContent = "Hover over the map to read the irradiance.";
    box.appendChild(canvas);
    box.appendChild(readout);
    var top = 0;
    spec.z.forEach(function (row) { row.forEach(function (v) { if (v > top) { top = v; } }); });
    var ctx = canvas.getContext("2d"), cw = canvas.width / nx, ch = canvas.height / ny;
    for (var j = 0; j < ny; j++) {
      for (var i = 0; i < nx; i++) {
        ctx.fillStyle = colour(top > 0 ? spec.z[j][i] / top : 0);
        ctx.fillRect(i * cw, (ny - 1 - j) * ch, cw + 0.5, ch + 0.5);
      }
    }
    var x0 = spec.x[0], x1 = spec.x[nx - 1], y0 = spec.y[0], y1 = spec.y[ny - 1];
    var px = function (x) { return (x - x0) / (x1 - x0) * (canvas.width - cw) + cw / 2; };
    var py = function (y) { return canvas.height - ((y - y0) / (y1 - y0) * (canvas.height - ch) + ch / 2); };
    ctx.strokeStyle = "#00e5ff";
    ctx.lineWidth = 1.5 * ratio;
    ctx.setLineDash([6 * ratio, 4 * ratio]);
    var w = spec.outline[0] / 2, h = spec.outline[1] / 2;
    ctx.strokeRect(px(-w), py(h), px(w) - px(-w), py(-h) - py(h));
    canvas.addEventListener("mousemove", function (event) {
      var rect = canvas.getBoundingClientRect();
      var i = Math.min(nx - 1, Math.max(0, Math.floor((event.clientX - rect.left) / rect.width * nx)));
      var j = Math.min(ny - 1, Math.max(0, ny - 1 - Math.floor((event.clientY - rect.top) / rect.height * ny)));
      readout.textContent = "x " + fmt(spec.x[i]) + " mm, y " + fmt(spec.y[j]) + " mm: " + fmt(spec.z[j][i]) + " " +
        spec.unit + " (maximum " + fmt(top) + ")";
    });
  }

  function drawCharts(root) {
    if (typeof uPlot === "undefined") { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (box) {
      if (box.dataset.drawn) { return; }
      box.dataset.drawn = "yes";
      var spec = JSON.parse(box.dataset.chart);
      if (spec.type === "map") { mapChart(box, spec); } else { lineChart(box, spec); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
})();
