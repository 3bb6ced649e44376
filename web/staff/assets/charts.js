// Small SVG charts drawn by hand (no library, no network): columns over days, horizontal bars, a
// stacked share bar. Labels are set with textContent. A bar or share with an `href` (a path of this
// site or an anchor of the page) is a link to the list behind it.
"use strict";

(function () {
  const NS = "http://www.w3.org/2000/svg";
  const PALETTE = ["#0b5cad", "#2e7d32", "#b3261e", "#a15c00", "#6a1b9a", "#00838f", "#5f6368", "#ad1457"];

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  // Only this site's paths and the page's anchors: never javascript: or another site.
  function safeLink(href) { return /^(\/(?!\/)|#)/.test(String(href || "")) ? String(href) : null; }

  // `nodes` inside a link to `href` when there is one, else appended as they are.
  function linked(root, href, label, nodes) {
    const target = safeLink(href);
    if (!target) { for (const node of nodes) root.appendChild(node); return; }
    const link = svg("a", { href: target, class: "bar-link", "aria-label": label });
    for (const node of nodes) link.appendChild(node);
    root.appendChild(link);
  }

  function niceMax(value) {
    if (value <= 5) return 5;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
    return 10 * power;
  }

  function empty(container, message) {
    clear(container).appendChild(Object.assign(document.createElement("p"), {
      className: "muted", textContent: message || "Chưa có dữ liệu trong khoảng thời gian này.",
    }));
  }

  // Columns per day; `series` = [{key, label, color}] stacked, `rows` = [{date, key: n, ...}].
  function columns(container, rows, series, options) {
    const total = (row) => series.reduce((sum, s) => sum + (row[s.key] || 0), 0);
    if (!rows.length || !rows.some((row) => total(row) > 0)) return empty(container);
    const width = 640, height = 260, left = 40, bottom = 34, top = 10, right = 8;
    const max = niceMax(Math.max(...rows.map(total)));
    const plotW = width - left - right, plotH = height - top - bottom;
    const step = plotW / rows.length;
    const bar = Math.max(1, Math.min(28, step * 0.7));
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": (options && options.label) || "Biểu đồ cột" });
    // Whole-number gridlines: 5 steps when the maximum divides by 5 (50 -> 10, 20, ...), else 4.
    const steps = max % 5 === 0 ? 5 : 4;
    for (let i = 0; i <= steps; i += 1) {
      const y = top + plotH - (plotH * i) / steps;
      root.appendChild(svg("line", { x1: left, x2: width - right, y1: y, y2: y, stroke: "#e3e6ea" }));
      root.appendChild(svg("text", { x: left - 4, y: y + 4, "text-anchor": "end" }, Math.round((max * i) / steps)));
    }
    const every = Math.ceil(rows.length / 10);
    rows.forEach((row, index) => {
      const x = left + index * step + (step - bar) / 2;
      let y = top + plotH;
      for (const s of series) {
        const value = row[s.key] || 0;
        if (!value) continue;
        const h = (plotH * value) / max;
        y -= h;
        const rect = svg("rect", { x, y, width: bar, height: h, fill: s.color });
        rect.appendChild(svg("title", {}, `${row.label || row.date}: ${s.label} ${value}`));
        root.appendChild(rect);
      }
      if (index % every === 0) {
        root.appendChild(svg("text", { x: x + bar / 2, y: height - bottom + 14, "text-anchor": "middle" },
          row.label || row.date));
      }
    });
    clear(container).appendChild(root);
    if (series.length > 1) container.appendChild(legend(series));
  }

  function legend(items) {
    const box = document.createElement("div");
    box.className = "legend";
    for (const item of items) {
      const span = document.createElement("span");
      span.style.setProperty("--swatch", item.color);
      span.textContent = item.label;
      box.appendChild(span);
    }
    return box;
  }

  // Horizontal bars: items = [{label, value}].
  function bars(container, items, options) {
    if (!items.length || !items.some((item) => item.value > 0)) return empty(container);
    const labelW = (options && options.labelWidth) || 230;
    const width = 640, row = 26, top = 4;
    const height = top + items.length * row + 4;
    const max = Math.max(...items.map((item) => item.value));
    const plotW = width - labelW - 50;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": (options && options.label) || "Biểu đồ thanh" });
    items.forEach((item, index) => {
      const y = top + index * row;
      const room = Math.floor(labelW / 7.2);
      const text = item.label.length > room ? item.label.slice(0, room - 1) + "…" : item.label;
      const label = svg("text", { x: labelW - 6, y: y + 15, "text-anchor": "end" }, text);
      label.appendChild(svg("title", {}, item.label));
      const w = max ? Math.max(1, (plotW * item.value) / max) : 0;
      linked(root, item.href, item.label + ": " + (item.display || item.value), [
        label,
        svg("rect", { x: labelW, y: y + 3, width: w, height: row - 8, fill: item.color || PALETTE[0], rx: 2 }),
        svg("text", { x: labelW + w + 4, y: y + 15 }, item.display || item.value),
      ]);
    });
    clear(container).appendChild(root);
  }

  // One bar split into shares: items = [{label, value}].
  function shares(container, items, options) {
    const total = items.reduce((sum, item) => sum + item.value, 0);
    if (!total) return empty(container);
    const width = 640, height = 44;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": (options && options.label) || "Tỉ lệ" });
    let x = 0;
    items.forEach((item, index) => {
      const w = (width * item.value) / total;
      const color = item.color || PALETTE[index % PALETTE.length];
      const rect = svg("rect", { x, y: 4, width: w, height: 36, fill: color });
      const share = Math.round((100 * item.value) / total);
      rect.appendChild(svg("title", {}, `${item.label}: ${item.value} (${share} %)`));
      const parts = [rect];
      if (w > 48) parts.push(svg("text", { x: x + w / 2, y: 27, "text-anchor": "middle", class: "on-bar" }, share + " %"));
      linked(root, item.href, `${item.label}: ${item.value} (${share} %)`, parts);
      x += w;
    });
    clear(container).appendChild(root);
    container.appendChild(legend(items.map((item, index) => ({
      label: `${item.label} (${item.value})`, color: item.color || PALETTE[index % PALETTE.length],
    }))));
  }

  window.Charts = { columns, bars, shares, PALETTE };
})();
