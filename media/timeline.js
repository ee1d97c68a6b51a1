// ElixirScope timeline webview: draws event-density buckets from elixirscope/timeline on a plain
// canvas and posts seeks back to the extension. No framework, no remote resources; colours come
// from VS Code theme CSS variables so light, dark and high-contrast themes all work.
// @ts-check
(function () {
  'use strict';
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById('timeline'));
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const readout = /** @type {HTMLElement} */ (document.getElementById('readout'));
  const empty = /** @type {HTMLElement} */ (document.getElementById('empty'));
  const legend = /** @type {HTMLElement} */ (document.getElementById('legend'));

  // Kinds drawn bottom-up, each with a theme variable (fallback for older themes).
  const KINDS = [
    ['step', '--vscode-charts-blue', '#3794ff'],
    ['call', '--vscode-charts-green', '#89d185'],
    ['return', '--vscode-charts-purple', '#b180d7'],
    ['write', '--vscode-charts-yellow', '#cca700'],
    ['output', '--vscode-charts-foreground', '#cccccc'],
    ['throw', '--vscode-charts-red', '#f14c4c'],
  ];
  const OTHER = ['other', '--vscode-charts-orange', '#d18616'];

  /** @type {{from:number,to:number,buckets:{from:number,to:number,counts:Record<string,number>}[],position:number,total:number}|null} */
  let data = null;
  let total = 0;
  let position = 0;
  let view = { from: 0, to: 0 }; // visible seq window [from, to)
  let live = false;
  let requestTimer = 0;
  let hoverX = -1;
  // Arrow keys walk from the last *requested* seq, not from the position the adapter snapped to:
  // otherwise, where stops are sparser than one bucket, repeated presses would snap back forever.
  /** @type {number|null} */
  let keyCursor = null;

  const state = vscode.getState();
  if (state && typeof state.from === 'number') view = { from: state.from, to: state.to };

  function cssVar(name, fallback) {
    const v = getComputedStyle(document.body).getPropertyValue(name).trim();
    return v || fallback;
  }
  function colorOf(kind) {
    const k = KINDS.find((x) => x[0] === kind) || OTHER;
    return cssVar(k[1], k[2]);
  }

  function buildLegend() {
    legend.textContent = '';
    const kinds = new Set();
    if (data) for (const b of data.buckets) for (const k of Object.keys(b.counts)) kinds.add(k);
    for (const [name] of [...KINDS, OTHER]) {
      if (name === 'other' ? ![...kinds].some((k) => !KINDS.some((x) => x[0] === k)) : !kinds.has(name)) continue;
      const item = document.createElement('span');
      item.className = 'legend-item';
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.backgroundColor = colorOf(name);
      item.append(sw, document.createTextNode(name));
      legend.append(item);
    }
  }

  function resize() {
    const dpr = window.devicePixelRatio || 1;
    const r = canvas.getBoundingClientRect();
    canvas.width = Math.max(1, Math.round(r.width * dpr));
    canvas.height = Math.max(1, Math.round(r.height * dpr));
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    draw();
  }

  const seqToX = (seq, w) => ((seq - view.from) / Math.max(1, view.to - view.from)) * w;
  const xToSeq = (x, w) => Math.floor(view.from + (x / Math.max(1, w)) * (view.to - view.from));
  const clampSeq = (s) => Math.max(0, Math.min(Math.max(0, total - 1), s));

  function draw() {
    const w = canvas.clientWidth, h = canvas.clientHeight;
    ctx.clearRect(0, 0, w, h);
    if (!data || total <= 0) return;
    const axisH = 16, top = 10, barH = h - axisH - top;
    // bars: stacked counts, sqrt scale so a quiet stretch is still visible next to a hot loop
    let max = 1;
    for (const b of data.buckets) { let s = 0; for (const k in b.counts) s += b.counts[k]; if (s > max) max = s; }
    const order = [...KINDS.map((k) => k[0])];
    for (const b of data.buckets) {
      const x0 = seqToX(b.from, w), x1 = Math.max(x0 + 1, seqToX(b.to, w));
      if (x1 < 0 || x0 > w) continue;
      let sum = 0; for (const k in b.counts) sum += b.counts[k];
      if (!sum) continue;
      const hTotal = Math.sqrt(sum / max) * barH;
      let y = top + barH;
      const kinds = [...order.filter((k) => b.counts[k]), ...Object.keys(b.counts).filter((k) => !order.includes(k) && b.counts[k])];
      for (const k of kinds) {
        const hk = (b.counts[k] / sum) * hTotal;
        ctx.fillStyle = colorOf(k);
        ctx.fillRect(x0, y - hk, Math.max(1, x1 - x0 - (x1 - x0 > 3 ? 1 : 0)), hk);
        y -= hk;
      }
    }
    // axis
    const fg = cssVar('--vscode-foreground', '#ccc');
    ctx.fillStyle = cssVar('--vscode-panel-border', '#80808059');
    ctx.fillRect(0, top + barH, w, 1);
    ctx.fillStyle = fg;
    ctx.font = `10px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    ctx.textBaseline = 'top';
    const span = Math.max(1, view.to - view.from);
    const step = niceStep(span / Math.max(1, Math.floor(w / 90)));
    for (let s = Math.ceil(view.from / step) * step; s <= view.to; s += step) {
      const x = seqToX(s, w);
      ctx.fillRect(x, top + barH, 1, 4);
      ctx.fillText(fmt(s), x + 2, top + barH + 4);
    }
    // hover cursor
    if (hoverX >= 0) {
      ctx.fillStyle = cssVar('--vscode-editorCursor-foreground', fg);
      ctx.globalAlpha = 0.35; ctx.fillRect(hoverX, top, 1, barH); ctx.globalAlpha = 1;
    }
    // current position marker: the future is dimmed, and a line with a contrasting halo and a handle
    // above the bars marks "now" (bar colours come from the theme, so the marker must not rely on hue)
    const px = Math.round(seqToX(position + 0.5, w));
    if (px >= -1 && px <= w + 1) {
      const bg = cssVar('--vscode-editor-background', '#1e1e1e');
      ctx.fillStyle = bg;
      ctx.globalAlpha = 0.45; ctx.fillRect(px + 2, top, Math.max(0, w - px - 2), barH); ctx.globalAlpha = 1;
      ctx.fillStyle = bg;
      ctx.fillRect(px - 2, top, 5, barH);
      const mark = cssVar('--vscode-editor-foreground', fg);
      ctx.fillStyle = mark;
      ctx.fillRect(px - 1, top, 3, barH);
      ctx.beginPath(); ctx.moveTo(px - 6, 0); ctx.lineTo(px + 7, 0); ctx.lineTo(px + 0.5, top - 1); ctx.closePath(); ctx.fill();
    }
    if (document.activeElement === canvas) {
      ctx.strokeStyle = cssVar('--vscode-focusBorder', '#007fd4');
      ctx.lineWidth = 1; ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    }
  }

  function niceStep(raw) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(1, raw))));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }
  function fmt(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(n % 1e6 ? 1 : 0) + 'M';
    if (n >= 1e4) return (n / 1e3).toFixed(0) + 'k';
    return String(n);
  }

  function updateReadout() {
    if (!data) return;
    readout.textContent = `position ${position.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} events` +
      (view.from > 0 || view.to < total ? ` · showing ${view.from.toLocaleString('en-US')}–${view.to.toLocaleString('en-US')}` : '') +
      (live ? ' · live' : '');
    canvas.setAttribute('aria-valuemax', String(Math.max(0, total - 1)));
    canvas.setAttribute('aria-valuenow', String(position));
    canvas.setAttribute('aria-valuetext', `event ${position} of ${total}`);
    canvas.dataset.position = String(position);
    canvas.dataset.total = String(total);
  }

  function requestRange(delay = 120) {
    clearTimeout(requestTimer);
    requestTimer = setTimeout(() => {
      const buckets = Math.max(10, Math.min(1000, Math.floor(canvas.clientWidth / 3)));
      const full = view.to <= view.from || (view.from <= 0 && view.to >= total);
      vscode.postMessage(full ? { type: 'range', buckets } : { type: 'range', from: view.from, to: view.to, buckets });
    }, delay);
    vscode.setState({ from: view.from, to: view.to });
  }

  function seekTo(seq) {
    seq = clampSeq(seq);
    position = seq;
    updateReadout();
    draw();
    vscode.postMessage({ type: 'seek', seq });
  }

  function zoom(factor, anchorSeq) {
    const span = view.to - view.from;
    const newSpan = Math.max(Math.min(20, total), Math.min(total, Math.round(span * factor)));
    let from = Math.round(anchorSeq - (anchorSeq - view.from) * (newSpan / Math.max(1, span)));
    from = Math.max(0, Math.min(total - newSpan, from));
    view = { from, to: from + newSpan };
    draw(); updateReadout(); requestRange();
  }
  function pan(deltaSeq) {
    const span = view.to - view.from;
    const from = Math.max(0, Math.min(total - span, Math.round(view.from + deltaSeq)));
    view = { from, to: from + span };
    draw(); updateReadout(); requestRange();
  }

  // ---- pointer: click/drag scrubs; shift+drag (or middle button) pans; wheel zooms; shift+wheel pans
  let drag = null;
  canvas.addEventListener('pointerdown', (e) => {
    keyCursor = null;
    if (!data || total <= 0) return;
    canvas.focus();
    canvas.setPointerCapture(e.pointerId);
    const panMode = e.shiftKey || e.button === 1;
    drag = { panMode, x: e.offsetX, from: view.from, lastSeek: -1 };
    if (!panMode) { const s = clampSeq(xToSeq(e.offsetX, canvas.clientWidth)); drag.lastSeek = s; seekTo(s); }
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', (e) => {
    hoverX = e.offsetX;
    if (drag) {
      const w = canvas.clientWidth;
      if (drag.panMode) {
        const span = view.to - view.from;
        const from = Math.max(0, Math.min(total - span, Math.round(drag.from - ((e.offsetX - drag.x) / w) * span)));
        view = { from, to: from + span };
        requestRange();
        updateReadout();
      } else {
        const s = clampSeq(xToSeq(e.offsetX, w));
        if (s !== drag.lastSeek) { drag.lastSeek = s; position = s; updateReadout(); }
      }
    }
    draw();
  });
  const endDrag = (e) => {
    if (drag && !drag.panMode && drag.lastSeek >= 0 && e.type === 'pointerup') seekTo(drag.lastSeek);
    drag = null;
  };
  canvas.addEventListener('pointerup', endDrag);
  canvas.addEventListener('pointercancel', endDrag);
  canvas.addEventListener('pointerleave', () => { hoverX = -1; draw(); });
  canvas.addEventListener('wheel', (e) => {
    if (!data || total <= 0) return;
    e.preventDefault();
    const w = canvas.clientWidth;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan(((e.deltaX || e.deltaY) / w) * (view.to - view.from));
    else zoom(e.deltaY > 0 ? 1.25 : 0.8, xToSeq(e.offsetX, w));
  }, { passive: false });
  canvas.addEventListener('focus', draw);
  canvas.addEventListener('blur', () => { keyCursor = null; draw(); });

  // ---- keyboard
  canvas.addEventListener('keydown', (e) => {
    if (!data || total <= 0) return;
    const bucket = Math.max(1, Math.round((view.to - view.from) / Math.max(1, data.buckets.length)));
    let handled = true;
    const delta = e.shiftKey ? 10 * bucket : e.altKey ? 1 : bucket;
    const walk = (d) => {
      const target = clampSeq((keyCursor ?? position) + d);
      keyCursor = target;
      seekTo(target);
      if (target < view.from || target >= view.to) pan(target < view.from ? target - view.from : target - view.to + 1);
    };
    switch (e.key) {
      case 'ArrowLeft': walk(-delta); break;
      case 'ArrowRight': walk(delta); break;
      case 'Home': keyCursor = 0; seekTo(0); break;
      case 'End': keyCursor = total - 1; seekTo(total - 1); break;
      case '+': case '=': zoom(0.5, position); break;
      case '-': case '_': zoom(2, position); break;
      case '0': view = { from: 0, to: total }; draw(); updateReadout(); requestRange(0); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });

  // ---- messages from the extension
  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'data') {
      data = m.data;
      live = !!m.live;
      const prevTotal = total;
      total = Math.max(0, data.total | 0);
      position = data.position | 0;
      if (view.to <= view.from || view.to > total || (view.from === 0 && view.to === prevTotal)) view = { from: 0, to: total };
      empty.hidden = true;
      canvas.hidden = false;
      buildLegend();
      updateReadout();
      draw();
    } else if (m.type === 'nodata') {
      data = null;
      empty.textContent = m.reason || 'No timeline data.';
      empty.hidden = false;
      readout.textContent = 'No timeline data';
      legend.textContent = '';
      draw();
    } else if (m.type === 'position') {
      position = m.seq | 0; updateReadout(); draw();
    } else if (m.type === 'refresh') {
      requestRange(0);
    }
  });

  new ResizeObserver(resize).observe(canvas);
  // Theme changes swap the body class; redraw with the new variables.
  new MutationObserver(() => { buildLegend(); draw(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  vscode.postMessage({ type: 'ready' });
})();
