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
  const axis = /** @type {HTMLElement} */ (document.getElementById('axis'));
  const tip = /** @type {HTMLElement} */ (document.getElementById('tip'));
  const functions = /** @type {HTMLElement} */ (document.getElementById('functions'));

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

  /** @type {{from:number,to:number,buckets:{from:number,to:number,counts:Record<string,number>,fromMs?:number,toMs?:number}[],position:number,total:number,functions?:{name:string,file:string,line:number,calls:number}[],breakpointHits?:number[]}|null} */
  let data = null;
  /** (seq, ms) points from the buckets' fromMs/toMs, ascending; null when the recording has no clock samples. */
  /** @type {[number, number][]|null} */
  let points = null;
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

  function breakpointColor() { return cssVar('--vscode-debugIcon-breakpointForeground', '#e51400'); }

  function buildLegend() {
    legend.textContent = '';
    const kinds = new Set();
    if (data) for (const b of data.buckets) for (const k of Object.keys(b.counts)) kinds.add(k);
    if (data && data.breakpointHits && data.breakpointHits.some((n) => n > 0)) {
      const item = document.createElement('span');
      item.className = 'legend-item';
      const sw = document.createElement('span');
      sw.className = 'swatch breakpoint';
      sw.style.backgroundColor = breakpointColor();
      item.append(sw, document.createTextNode('breakpoint hits'));
      legend.append(item);
    }
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

  /** Activity per function: the functions called most in the loaded window (from the same timeline answer). */
  function buildFunctions() {
    if (!functions) return;
    functions.textContent = '';
    const list = (data && data.functions) || [];
    if (!list.length) return;
    const label = document.createElement('span');
    label.className = 'functions-label';
    label.textContent = 'calls in view:';
    functions.append(label);
    for (const f of list.slice(0, 8)) {
      const item = document.createElement('span');
      item.className = 'function-item';
      const file = f.file ? f.file.split(/[\\/]/).pop() : '';
      item.textContent = `${f.name} ×${f.calls.toLocaleString('en-US')}`;
      item.title = `${f.name}${file ? ` (${file}:${f.line})` : ''}: called ${f.calls.toLocaleString('en-US')} times in the visible window`;
      functions.append(item);
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

  // ---- time: each bucket says when its first and last events ran (ms since the recording started);
  // a seq's time, and the seq at a time, are interpolated between those points.
  function buildPoints() {
    points = null;
    if (!data || !data.buckets.length) return;
    /** @type {[number, number][]} */
    const p = [];
    for (const b of data.buckets) {
      if (typeof b.fromMs !== 'number' || typeof b.toMs !== 'number') return;
      p.push([b.from, b.fromMs]);
      if (b.to - 1 > b.from) p.push([b.to - 1, b.toMs]);
    }
    points = p;
  }
  /** Piecewise-linear lookup over `points`: column `xi` → column `yi`, clamped at the ends. */
  function interp(x, xi, yi) {
    const p = /** @type {[number, number][]} */ (points);
    if (x <= p[0][xi]) return p[0][yi];
    if (x >= p[p.length - 1][xi]) return p[p.length - 1][yi];
    let lo = 0, hi = p.length - 1;
    while (hi - lo > 1) { const m = (lo + hi) >> 1; if (p[m][xi] <= x) lo = m; else hi = m; }
    const a = p[lo], b = p[hi];
    return b[xi] === a[xi] ? a[yi] : a[yi] + ((x - a[xi]) / (b[xi] - a[xi])) * (b[yi] - a[yi]);
  }
  const timeAt = (seq) => interp(seq, 0, 1);
  const seqAtTime = (ms) => interp(ms, 1, 0);
  /** A time known from the loaded buckets (the data covers the visible window only). */
  const knownTime = (seq) => (points && data && seq >= data.from && seq < data.to ? timeAt(seq) : undefined);
  /** `ms` with as many decimals as a tick `step` needs: s from 1 s steps or 1 s on (zoomed far in late in a
   *  recording: "6.0211940 s", not "6021194.0 µs"), µs for sub-µs steps in the first ms, else ms. */
  function fmtMs(ms, step) {
    const dec = (st, max) => Math.max(0, Math.min(max, -Math.floor(Math.log10(st) + 1e-9)));
    if (step >= 1000 || ms >= 1000) return `${(ms / 1000).toFixed(dec(step / 1000, 9))} s`;
    if (step < 0.001 && ms < 1) return `${(ms * 1000).toFixed(dec(step * 1000, 3))} µs`;
    return `${ms.toFixed(dec(step, 6))} ms`;
  }
  /** A time on its own (readout, tooltip): about four significant digits. */
  function fmtTime(ms) {
    if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 2 : 3)} s`;
    if (ms >= 100) return `${ms.toFixed(1)} ms`;
    if (ms >= 1) return `${ms.toFixed(2)} ms`;
    return `${ms.toFixed(3)} ms`;
  }

  const seqToX = (seq, w) => ((seq - view.from) / Math.max(1, view.to - view.from)) * w;
  const xToSeq = (x, w) => Math.floor(view.from + (x / Math.max(1, w)) * (view.to - view.from));
  const clampSeq = (s) => Math.max(0, Math.min(Math.max(0, total - 1), s));

  function draw() {
    const w = canvas.clientWidth, h = canvas.clientHeight;
    ctx.clearRect(0, 0, w, h);
    if (!data || total <= 0) { axis.textContent = ''; return; }
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
    // breakpoint hits: a marker under each bucket where an unconditional breakpoint was hit
    if (data.breakpointHits) {
      ctx.fillStyle = breakpointColor();
      data.buckets.forEach((b, i) => {
        if (!data || !data.breakpointHits || !data.breakpointHits[i]) return;
        const x0 = seqToX(b.from, w), x1 = Math.max(x0 + 1, seqToX(b.to, w));
        if (x1 < 0 || x0 > w) return;
        const cx = (x0 + x1) / 2;
        ctx.beginPath(); ctx.arc(cx, top + barH - 4, 3, 0, 2 * Math.PI); ctx.fill();
      });
    }
    // axis
    const fg = cssVar('--vscode-foreground', '#ccc');
    ctx.fillStyle = cssVar('--vscode-panel-border', '#80808059');
    ctx.fillRect(0, top + barH, w, 1);
    ctx.fillStyle = fg;
    ctx.font = `10px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    ctx.textBaseline = 'top';
    // ticks in time (ms/s) when the buckets carry it, else in events; labels are DOM text (#axis)
    /** @type {{x:number,label:string}[]} */
    const ticks = [];
    const perLabel = Math.max(1, Math.floor(w / 90));
    const t0 = points ? timeAt(view.from) : 0, t1 = points ? timeAt(Math.max(view.from, view.to - 1)) : 0;
    if (points && t1 > t0) {
      const step = niceStep(Math.max(1e-6, (t1 - t0) / perLabel), true);
      for (let k = Math.ceil(t0 / step - 1e-9); k * step <= t1 + 1e-9 && ticks.length < 200; k++) {
        ticks.push({ x: seqToX(seqAtTime(k * step), w), label: fmtMs(k * step, step) });
      }
    } else if (points) {
      ticks.push({ x: 0, label: fmtTime(t0) });
    } else {
      const span = Math.max(1, view.to - view.from);
      const step = niceStep(span / perLabel);
      for (let s = Math.ceil(view.from / step) * step; s <= view.to; s += step) ticks.push({ x: seqToX(s, w), label: fmt(s) });
    }
    // time does not pass evenly over events: drop labels that would overlap the previous one
    axis.textContent = '';
    let end = -Infinity;
    for (const t of ticks) {
      const lw = ctx.measureText(t.label).width;
      if (t.x < end + 6 || t.x + 2 + lw > w) continue;
      end = t.x + 2 + lw;
      ctx.fillRect(t.x, top + barH, 1, 4);
      const el = document.createElement('span');
      el.className = 'tick';
      el.textContent = t.label;
      el.style.left = `${t.x + 2}px`;
      axis.append(el);
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

  /** 1, 2 or 5 times a power of ten, at least `raw` (whole numbers unless `fractional`). */
  function niceStep(raw, fractional = false) {
    const p = Math.pow(10, Math.floor(Math.log10(fractional ? raw : Math.max(1, raw))));
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
    const ms = knownTime(position);
    readout.textContent = `position ${position.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} events` +
      (ms !== undefined ? ` · ${fmtTime(ms)}` : '') +
      (view.from > 0 || view.to < total ? ` · showing ${view.from.toLocaleString('en-US')}–${view.to.toLocaleString('en-US')}` : '') +
      (resolution() === 1 ? ' · one event per bar' : '') +
      (data.from !== view.from || data.to !== view.to ? ' · loading…' : '') +
      (live ? ' · live' : '');
    canvas.setAttribute('aria-valuemax', String(Math.max(0, total - 1)));
    canvas.setAttribute('aria-valuenow', String(position));
    canvas.setAttribute('aria-valuetext', `event ${position} of ${total}${ms !== undefined ? `, ${fmtTime(ms)}` : ''}`);
    canvas.dataset.position = String(position);
    canvas.dataset.total = String(total);
    canvas.dataset.view = `${view.from}-${view.to}`;
  }
  /** Events per bar of the loaded data when it covers the visible window (1: single events), else 0. */
  function resolution() {
    if (!data || !data.buckets.length || data.from !== view.from || data.to !== view.to) return 0;
    let w = 0;
    for (const b of data.buckets) w = Math.max(w, b.to - b.from);
    return w;
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
  /** The bucket under x, described: its events (seq, as Go to Time takes them), when they ran, what they were. */
  function showTip(x) {
    const w = canvas.clientWidth;
    const b = data && data.buckets.find((k) => x >= seqToX(k.from, w) && x < Math.max(seqToX(k.from, w) + 1, seqToX(k.to, w)));
    if (!b) { tip.hidden = true; return; }
    const n = Object.values(b.counts).reduce((a, c) => a + c, 0);
    const seqs = b.to - b.from > 1 ? `events ${b.from.toLocaleString('en-US')}–${(b.to - 1).toLocaleString('en-US')}` : `event ${b.from.toLocaleString('en-US')}`;
    const time = typeof b.fromMs === 'number' && typeof b.toMs === 'number'
      ? (b.toMs - b.fromMs >= 0.0005 ? `${fmtTime(b.fromMs)} – ${fmtTime(b.toMs)}` : `at ${fmtTime(b.fromMs)}`) : '';
    const kinds = Object.entries(b.counts).filter(([, c]) => c).map(([k, c]) => `${k} ${c}`).join(' · ');
    const hits = data && data.breakpointHits ? data.breakpointHits[data.buckets.indexOf(b)] : 0;
    tip.textContent = '';
    for (const line of [time, seqs, `${n} recorded: ${kinds || 'nothing'}`, hits ? `breakpoint hit ${hits} time${hits === 1 ? '' : 's'}` : '']) {
      if (!line) continue;
      const div = document.createElement('div');
      div.textContent = line;
      tip.append(div);
    }
    tip.hidden = false;
    const left = Math.min(Math.max(0, x + 12), Math.max(0, w - tip.offsetWidth));
    tip.style.left = `${left + canvas.offsetLeft}px`;
  }
  canvas.addEventListener('pointermove', (e) => {
    hoverX = e.offsetX;
    showTip(e.offsetX);
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
  canvas.addEventListener('pointerleave', () => { hoverX = -1; tip.hidden = true; draw(); });
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
      case 'PageUp': pan(-(view.to - view.from) / 2); break;
      case 'PageDown': pan((view.to - view.from) / 2); break;
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
      buildPoints();
      canvas.dataset.loaded = `${data.from}-${data.to}`;
      empty.hidden = true;
      canvas.hidden = false;
      buildLegend();
      buildFunctions();
      updateReadout();
      draw();
    } else if (m.type === 'nodata') {
      data = null;
      points = null;
      tip.hidden = true;
      empty.textContent = m.reason || 'No timeline data.';
      empty.hidden = false;
      readout.textContent = 'No timeline data';
      legend.textContent = '';
      if (functions) functions.textContent = '';
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
