#!/usr/bin/env node
// End-to-end test of ElixirScope in a REAL VS Code workbench: code-server (VS Code 1.139 server +
// web workbench) driven headlessly by playwright-core and Debian's chromium. Setup once with
// `bash scripts/e2e/install.sh`. Each check is a named step; a step whose prerequisite failed is
// reported as failed ("blocked by ..."). Screenshots: test-artifacts/e2e/NN-<step>.png (e2e-fake/ with ADAPTER=fake).
// The last line is "N passed, N failed"; exit code 0 only when nothing failed.
//
// Env:
//   ADAPTER=real (default)  the project's adapter, dist/adapter.js
//   ADAPTER=fake            test/e2e/fake-adapter.cjs: a scripted DAP adapter with the same capabilities and
//                           custom requests, to check the VS Code side independently of the adapter's progress
//   EXT_VSIX=path.vsix      install this package (code-server --install-extension) instead of staging dist/
//   SKIP_BUILD=1            use dist/ as it is
//   KEEP=1                  keep the temp dir (code-server log, workspace, fake adapter log)
//   STEP_TIMEOUT_MS         per-wait timeout (default 30000)
//   ARTIFACTS=dir           where screenshots and results.json go
//   PHASES=trusted,untrusted which workbench runs (default both): the main scenario with workspace trust off
//                           (ending with the timeline at scale on a >=10M-event recording), then a second code-server
//                           with trust on and the folder in Restricted Mode. PHASES=scale runs only the timeline-at-scale
//                           steps, in their own code-server. PHASES=workbench: `npm run workbench` with workspace trust
//                           (run by default, last).
//   SCALE_ITERATIONS        loop iterations of the scale program (default 900000: 12 events each, 10.8M events)
'use strict';
const fs = require('fs');
const path = require('path');
const lib = require('./lib.cjs');
const { REPO, TOOLS, log, waitFor } = lib;
const scenario = require('./scenario.cjs');

const ADAPTER = process.env.ADAPTER === 'fake' ? 'fake' : 'real';
const ART = process.env.ARTIFACTS ? path.resolve(process.env.ARTIFACTS) : path.join(REPO, 'test-artifacts', ADAPTER === 'fake' ? 'e2e-fake' : 'e2e');
const TO = Number(process.env.STEP_TIMEOUT_MS || 30000);

const results = []; // {name, ok, ms, error?, shot?}
let page;
let shotNo = 0;

/**
 * "ElixirScope: Open Recording…" through VS Code's simple file dialog (no native dialog in a
 * browser). The dialog may still be loading its start folder when we type, and then resets the
 * path: type until the path stays, then accept.
 */
async function openRecordingDialog(page, command, rec) {
  await command('ElixirScope: Open Recording…');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 10000 });
  for (let attempt = 0; attempt < 5; attempt++) {
    await input.fill(rec + '/');
    await page.waitForTimeout(800);
    if ((await input.inputValue().catch(() => '')) === rec + '/') break;
  }
  const ok = page.locator('.quick-input-widget .monaco-button', { hasText: 'Open Recording' }).first();
  if (await ok.isVisible().catch(() => false)) await ok.click(); else await page.keyboard.press('Enter');
}

async function shot(name) {
  if (!page) return undefined;
  const file = path.join(ART, `${String(++shotNo).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.png`);
  try { await page.screenshot({ path: file }); return path.relative(REPO, file); } catch { return undefined; }
}

/** Runs one named check. `needs`: names of steps that must have passed. */
async function step(name, fn, { needs = [] } = {}) {
  const t = Date.now();
  const blocked = needs.find((n) => !results.find((r) => r.name === n && r.ok));
  if (blocked) {
    results.push({ name, ok: false, ms: 0, error: `blocked by "${blocked}"` });
    log(`FAIL  ${name}  (blocked by "${blocked}")`);
    return false;
  }
  try {
    const detail = await fn();
    const s = await shot(name);
    results.push({ name, ok: true, ms: Date.now() - t, shot: s, detail });
    log(`PASS  ${name}${detail ? `  — ${detail}` : ''}  [${s}]`);
    return true;
  } catch (e) {
    const s = await shot(`${name}-FAIL`);
    const msg = String((e && e.message) || e).split('\n')[0];
    results.push({ name, ok: false, ms: Date.now() - t, error: msg, shot: s });
    log(`FAIL  ${name}  — ${msg}  [${s}]`);
    return false;
  }
}

// ---------- UI helpers ----------
// Open quick input, type, wait for a focused row with the wanted text (the list first shows history rows),
// then Enter. Retried: right after start-up the extension's contributions may not be registered yet.
async function quickPick(key, text, rowText = text, attempts = 3) {
  const input = page.locator('.quick-input-widget input');
  for (let i = 1; ; i++) {
    // never type while a previous quick input is still closing: the keys would land in the editor
    await input.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
    await page.keyboard.press(key);
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await page.keyboard.type(text);
    if ((await input.inputValue()).replace(/^>/, '') !== text) { await page.keyboard.press('Escape'); if (i >= attempts) throw new Error(`typing "${text}" did not reach the quick input`); continue; }
    try {
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: rowText }).first().waitFor({ timeout: 10000 });
      break;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (i >= attempts) throw new Error(`no "${rowText}" in the quick pick for "${text}"`);
    }
  }
  await page.keyboard.press('Enter');
}
async function command(title) {
  await quickPick('F1', title);
  await page.locator('.quick-input-widget input').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
}
async function openFile(name) {
  await quickPick('Control+P', name);
  await page.waitForSelector(`.tab.active:has-text("${path.basename(name)}")`, { timeout: 10000 });
}
/** Focus the editor by clicking on its text area (right of the last character of line 1). */
async function focusEditor() {
  await page.keyboard.press('Escape');
  const line = page.locator('.monaco-editor .view-lines .view-line').first();
  const box = await line.boundingBox();
  if (box) await page.mouse.click(box.x + box.width - 20, box.y + box.height / 2);
}
async function gotoLine(n) {
  const input = page.locator('.quick-input-widget input').first();
  for (let i = 1; ; i++) {
    try {
      await input.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
      await page.keyboard.press('Control+G');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`:${n}`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: `line ${n}` }).first().waitFor({ timeout: 5000 });
      await page.keyboard.press('Enter');
      await input.waitFor({ state: 'hidden', timeout: 5000 });
      await page.locator('.statusbar-item', { hasText: `Ln ${n},` }).first().waitFor({ timeout: 5000 });
      return;
    } catch (e) {
      await page.keyboard.press('Escape').catch(() => {});
      if (i >= 3) throw e;
    }
  }
}
/** Text rows of the Call Stack view. */
async function callStackRows() { return page.locator('.debug-call-stack .monaco-list-row').allInnerTexts(); }
/** Line of the top stack frame, from its Call Stack row ("total app.ts 4:1"). */
async function topFrameLine() {
  const rows = await callStackRows();
  for (const r of rows) {
    const m = /(\d+):(\d+)\s*$/.exec(r.replace(/\s+/g, ' ').trim());
    if (m) return Number(m[1]);
  }
  return undefined;
}
async function waitTopFrameLine(pred, what, timeout = TO) {
  let last;
  await waitFor(async () => { last = await topFrameLine(); return last !== undefined && pred(last); }, `${what} (top frame line now ${last})`, timeout, 250);
  return last;
}
/** Expands scopes until a variable row matching `re` is visible; returns all variable rows. */
async function variableRow(re, timeout = TO) {
  let rows = [];
  await waitFor(async () => {
    rows = (await page.locator('.debug-variables .monaco-list-row').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    if (rows.some((r) => re.test(r))) return true;
    const collapsed = page.locator('.debug-variables .monaco-list-row[aria-expanded="false"][aria-level="1"]');
    if (await collapsed.count()) await collapsed.first().click().catch(() => {});
    return false;
  }, `variable ${re} (rows: ${JSON.stringify(rows)})`, timeout, 500);
  return rows;
}
function statusItem() { return page.locator('.statusbar-item', { hasText: /events/ }).first(); }
async function tokenBox(text, nth = 0) {
  const tok = page.locator('.monaco-editor .view-lines .view-line span span', { hasText: new RegExp(`^${text}$`) }).nth(nth);
  return waitFor(async () => { try { await tok.waitFor({ timeout: 2000 }); return await tok.boundingBox(); } catch { return null; } }, `token "${text}"`, 15000);
}
/** Current position from the status bar ("… · @12"). */
async function statusSeq() {
  const m = /@([\d,]+)(?: · [\d.]+ m?s)?$/.exec((await statusItem().innerText()).trim());
  return m ? Number(m[1].replace(/,/g, '')) : undefined;
}
/** Number of recorded events from the status bar ("… · 26 events · …"). */
async function statusEvents() {
  const m = /([\d.]+)(k|M)? events/.exec(await statusItem().innerText());
  return m ? Math.round(Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1)) : undefined;
}
/** Waits until a stop changed the position, then lets it settle (a stop focuses the editor). */
async function waitPositionChange(before, what) {
  let now;
  await waitFor(async () => { now = await statusSeq(); return now !== undefined && now !== before; }, `${what}: position to change from @${before}`, TO, 250);
  await page.waitForTimeout(700);
  return now;
}
/** Runs "Go to Time…" with `seq`; the adapter may snap to the nearest stop, so only a change is required. */
async function goToTime(seq) {
  const before = await statusSeq();
  await command('ElixirScope: Go to Time…');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(String(seq));
  await page.keyboard.press('Enter');
  return waitPositionChange(before, `Go to Time ${seq}`);
}
// Hovers the scenario's variable until `hover` shows. A hover can be dismissed by a re-render
// (inline values arriving), so move away and back, up to four times.
async function hoverToken(hover) {
  for (let i = 1; ; i++) {
    const box = await tokenBox(scenario.hoverVariable, 1);
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    try { await hover.waitFor({ state: 'visible', timeout: 8000 }); return; } catch (e) {
      if (i >= 4) throw e;
      await page.mouse.move(5, 5);
      await page.waitForTimeout(500);
    }
  }
}
/** Screen box of the first `word` on the editor line whose text contains `lineText` (measured with a DOM Range). */
async function wordBox(lineText, word) {
  return waitFor(() => page.evaluate(([lt, w]) => {
    const line = [...document.querySelectorAll('.monaco-editor .view-lines .view-line')].find((l) => l.textContent.replace(/\u00a0/g, ' ').includes(lt));
    if (!line) return null;
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.textContent.search(new RegExp(`\\b${w}\\b`));
      if (i < 0) continue;
      const r = document.createRange();
      r.setStart(n, i); r.setEnd(n, i + w.length);
      const b = r.getBoundingClientRect();
      return b.width ? { x: b.x, y: b.y, width: b.width, height: b.height } : null;
    }
    return null;
  }, [lineText, word]), `word "${word}" on the line "${lineText}"`, 15000);
}
function webview() { return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame'); }
async function toolbarButton(icon) {
  const b = page.locator(`.debug-toolbar .action-label.codicon-${icon}`).first();
  await b.waitFor({ state: 'visible', timeout: 10000 });
  return b;
}

/** The main scenario in a trusted workspace (trust checks off, as most users run VS Code). */
async function trustedPhase({ chromium, root, userData, extensionsDir, ws, scenario, env, fakeLog, scale }) {
  const server = await lib.startCodeServer({ root, userData, extensionsDir, workspace: ws, env });
  log('code-server on', server.url, `(adapter: ${ADAPTER})`);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: TOOLS.CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await ctx.newPage();

    await step('workbench loads', async () => {
      await page.goto(server.url);
      await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
      await page.waitForSelector('.part.statusbar', { timeout: 60000 });
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
    });

    await step('timeline webview opens and says there is no session', async () => {
      await command('ElixirScope: Open Timeline');
      const empty = webview().locator('#empty');
      await empty.waitFor({ state: 'visible', timeout: 45000 }); // first command activates the extension
      const text = await empty.innerText();
      if (!/No ElixirScope debug session/i.test(text)) throw new Error(`unexpected text: ${text}`);
      return text;
    }, { needs: ['workbench loads'] });
    await command('View: Close All Editors').catch(() => {});

    await step('open the program and set a breakpoint (F9)', async () => {
      await openFile(path.basename(scenario.program));
      await gotoLine(scenario.breakpointLine);
      await page.keyboard.press('F9');
      await page.waitForSelector('.monaco-editor .codicon-debug-breakpoint', { timeout: 10000 });
    }, { needs: ['workbench loads'] });

    await step('F5 without launch.json offers ElixirScope', async () => {
      await page.keyboard.press('F5');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15000 });
      const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
      await page.keyboard.type('ElixirScope');
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'ElixirScope' }).first().waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
      // Picking the debugger may lead to a second pick (its dynamic configurations)
      await page.waitForTimeout(800);
      if (await input.isVisible().catch(() => false)) {
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'ElixirScope' }).first();
        if (await row.count()) await page.keyboard.press('Enter');
      }
      return `offered: ${rows.map((r) => r.replace(/\s+/g, ' ').trim()).join(' | ')}`;
    }, { needs: ['open the program and set a breakpoint (F9)'] });

    const stopped = await step('debug session stops at the breakpoint', async () => {
      await page.waitForSelector('.debug-toolbar', { state: 'visible', timeout: 60000 });
      await page.keyboard.press('Control+Shift+D');
      await page.waitForSelector('.debug-call-stack', { timeout: 10000 });
      const line = await waitTopFrameLine((l) => l === scenario.breakpointLine, `top frame at line ${scenario.breakpointLine}`, 60000);
      await page.waitForSelector('.monaco-editor .debug-top-stack-frame-line', { timeout: 10000 });
      return `top frame line ${line}; stack: ${JSON.stringify((await callStackRows()).map((r) => r.replace(/\s+/g, ' ')))}`;
    }, { needs: ['F5 without launch.json offers ElixirScope'] });
    const S = 'debug session stops at the breakpoint';

    await step('toolbar shows Step Back and Reverse Continue', async () => {
      await toolbarButton('debug-step-back');
      await toolbarButton('debug-reverse-continue');
    }, { needs: [S] });

    // Press a toolbar button; the thread must stop at the breakpoint line with `value` in Variables.
    const toBreakpointHit = async (button, value, what) => {
      await (await toolbarButton(button)).click();
      const rows = await variableRow(new RegExp(`^${scenario.variable}\\s*[:=]\\s*${value}\\b`));
      await waitTopFrameLine((l) => l === scenario.breakpointLine, what);
      return rows.join(' | ');
    };

    await step('continue to the 2nd hit: Variables show the newer value',
      () => toBreakpointHit('debug-continue', scenario.valueAtSecondHit, 'top frame back at the breakpoint line'), { needs: [S] });

    await step('Reverse Continue returns to the 1st hit: Variables show the older value',
      () => toBreakpointHit('debug-reverse-continue', scenario.valueAtFirstHit, 'top frame at the breakpoint line'),
      { needs: ['continue to the 2nd hit: Variables show the newer value'] });

    await step('Step Back moves the highlighted line up', async () => {
      const before = await topFrameLine();
      await (await toolbarButton('debug-step-back')).click();
      const after = await waitTopFrameLine((l) => l < before, `line above ${before}`);
      return `${before} -> ${after}`;
    }, { needs: ['Reverse Continue returns to the 1st hit: Variables show the older value'] });

    await step('inline values show variable values in the editor', async () => {
      const re = new RegExp(`${scenario.variable} = ${scenario.valueAtFirstHit}`);
      const text = await waitFor(async () => {
        const t = (await page.locator('.monaco-editor .view-lines').first().innerText().catch(() => '')).replace(/\u00a0/g, ' ');
        return re.test(t) ? t : null;
      }, `inline value ${re}`, TO, 500);
      return text.split('\n').filter((l) => re.test(l))[0].trim();
    }, { needs: [S] });

    await step('status bar shows recording size, events and position', async () => {
      const item = statusItem();
      await item.waitFor({ state: 'visible', timeout: TO });
      const text = (await item.innerText()).trim();
      // size, event count, position as an event and as the time it ran
      if (!/\d.*events.*@\d+ · [\d.]+ m?s$/.test(text)) throw new Error(`status bar: "${text}"`);
      return text;
    }, { needs: [S] });

    await step('hover shows the value now and its history', async () => {
      await focusEditor();
      const hover = page.locator('.monaco-hover', { hasText: /over time/ }).first();
      await hoverToken(hover);
      return (await hover.innerText()).replace(/\s+/g, ' ').slice(0, 200);
    }, { needs: [S] });

    await step('a history entry in the hover seeks there', async () => {
      const links = page.locator('.monaco-hover a', { hasText: /^@\d+$/ });
      const n = await links.count();
      if (!n) throw new Error('no @seq links in the hover');
      const link = links.nth(n - 1);
      const seq = Number((await link.innerText()).slice(1));
      await link.click();
      await waitFor(async () => (await statusItem().innerText()).includes(`@${seq}`), `status bar @${seq}`, TO, 250);
      return `clicked @${seq}; top frame line ${await topFrameLine()}`;
    }, { needs: ['hover shows the value now and its history'] });
    await page.mouse.move(5, 5).catch(() => {});
    await page.keyboard.press('Escape').catch(() => {});

    await step('Go to Time… seeks to the typed event', async () => {
      const events = await statusEvents();
      const before = await statusSeq();
      let target = Math.floor((events || 10) / 2);
      if (target === before) target += 1;
      const now = await goToTime(target);
      return `@${before} -> asked ${target} -> @${now}; top frame line ${await topFrameLine()}`;
    }, { needs: [S] });

    await step('Where Did This Value Come From? lists origins and seeks', async () => {
      // to the end, then Reverse Continue: the last breakpoint hit, inside total() where `sum` lives
      await goToTime(Math.max(1, (await statusEvents() || 12) - 3));
      const atEnd = await statusSeq();
      await (await toolbarButton('debug-reverse-continue')).click();
      await waitPositionChange(atEnd, 'reverse continue');
      await waitTopFrameLine((l) => l === scenario.breakpointLine, 'top frame at the breakpoint line');
      const box = await tokenBox(scenario.hoverVariable, 1);
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.move(5, 5);
      await command('ElixirScope: Where Did This Value Come From?');
      const rows = page.locator('.quick-input-list .monaco-list-row', { hasText: /@\d+/ });
      await rows.first().waitFor({ state: 'visible', timeout: TO });
      const texts = (await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      const before = await statusSeq();
      // choose the first row that points somewhere else in time
      const idx = Math.max(0, texts.findIndex((t) => Number((/@(\d+)/.exec(t) || [])[1]) !== before));
      for (let i = 0; i < idx; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      const now = await waitPositionChange(before, 'origin pick');
      return `${texts.length} rows: ${texts.join(' | ')}; picked #${idx + 1}: @${before} -> @${now}`;
    }, { needs: [S] });

    await step('timeline shows data and a click moves the editor', async () => {
      await command('ElixirScope: Open Timeline');
      const wv = webview();
      const canvas = wv.locator('#timeline');
      await canvas.waitFor({ state: 'visible', timeout: TO });
      const readout = wv.locator('#readout');
      await waitFor(async () => /position \d+ of \d+ events/.test(await readout.innerText()), 'timeline readout', TO, 250);
      // the session's breakpoint line ran in this recording: its hits are marked and named in the legend
      await waitFor(async () => /breakpoint hits/.test(await wv.locator('#legend').innerText()), 'legend "breakpoint hits"', TO, 250);
      const before = await topFrameLine();
      const seqBefore = await statusSeq();
      const box = await canvas.boundingBox();
      // click near the end: the Where-from step left the position early in the recording
      await canvas.click({ position: { x: box.width * 0.85, y: box.height / 2 } });
      const seqAfter = await waitPositionChange(seqBefore, 'timeline click');
      const after = await waitTopFrameLine((l) => l !== before, `top frame line to change from ${before}`);
      await waitFor(async () => (await readout.innerText()).startsWith(`position ${seqAfter} of`), `readout at position ${seqAfter}`, TO, 250);
      return `${await readout.innerText()}; @${seqBefore} -> @${seqAfter}; editor line ${before} -> ${after}`;
    }, { needs: [S] });

    await step('timeline keyboard: arrow keys move back and forward in time', async () => {
      const wv = webview();
      const canvas = wv.locator('#timeline');
      await canvas.focus();
      // ArrowLeft until the position moves back (stops may be sparser than one bucket), then ArrowRight forward
      const press = async (key, pred) => {
        const from = await statusSeq();
        for (let i = 0; i < 8; i++) {
          await canvas.press(key);
          await page.waitForTimeout(400);
          const now = await statusSeq();
          if (now !== undefined && pred(now, from)) { await page.waitForTimeout(500); return now; }
        }
        throw new Error(`${key} x8 did not move the position from @${from} (now @${await statusSeq()})`);
      };
      const start = await statusSeq();
      const back = await press('ArrowLeft', (now, from) => now < from);
      const fwd = await press('ArrowRight', (now, from) => now > from);
      return `@${start} -ArrowLeft-> @${back} -ArrowRight-> @${fwd}`;
    }, { needs: ['timeline shows data and a click moves the editor'] });

    await step('timeline follows the theme (High Contrast)', async () => {
      await focusEditor(); // keys typed while the webview has focus stay in the webview
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+T'); // Preferences: Color Theme
      const input = page.locator('.quick-input-widget input').first();
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill('High Contrast');
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: /High Contrast/ }).first().waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
      const body = webview().locator('body');
      await waitFor(async () => /vscode-high-contrast/.test((await body.getAttribute('class')) || ''), 'webview body class vscode-high-contrast', TO, 250);
      await page.waitForTimeout(800);
      const bg = await body.evaluate((b) => getComputedStyle(b).backgroundColor);
      return `webview body: ${await body.getAttribute('class')}; background ${bg}`;
    }, { needs: ['timeline shows data and a click moves the editor'] });
    if (results[results.length - 1].ok) { // back to the default theme for the remaining screenshots
      await page.keyboard.press('Control+K').catch(() => {});
      await page.keyboard.press('Control+T').catch(() => {});
      const input = page.locator('.quick-input-widget input').first();
      await input.fill('Light Modern').catch(() => {});
      await page.waitForTimeout(800);
      await page.keyboard.press('Enter').catch(() => {});
    }

    if (ADAPTER === 'fake') {
      await step('settings reach the launch configuration', async () => {
        const launches = fs.readFileSync(fakeLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.request === 'launch');
        const a = launches[0] && launches[0].args;
        if (!a) throw new Error('no launch request logged');
        const problems = [];
        if (a.mode !== 'full') problems.push(`mode=${a.mode}`);
        if (!a.snapshot || a.snapshot.maxDepth !== 4) problems.push(`snapshot=${JSON.stringify(a.snapshot)}`);
        if (!a.out || !a.out.includes(path.join('.elixirscope', 'recordings'))) problems.push(`out=${a.out}`);
        if (!a.program || !a.program.endsWith(scenario.program)) problems.push(`program=${a.program}`);
        if (problems.length) throw new Error(problems.join(', '));
        return `mode=${a.mode} out=${path.relative(ws, a.out)} snapshot=${JSON.stringify(a.snapshot)}`;
      }, { needs: [S] });
    }

    await step('stop debugging hides toolbar and status item', async () => {
      await command('View: Close All Editors').catch(() => {});
      await focusEditor().catch(() => {});
      await page.keyboard.press('Shift+F5');
      await page.waitForSelector('.debug-toolbar', { state: 'hidden', timeout: TO });
      await statusItem().waitFor({ state: 'hidden', timeout: TO });
    }, { needs: [S] });

    await step('after the session, a code lens says how often a function ran (language server)', async () => {
      await openFile(path.basename(scenario.program));
      const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: scenario.codeLens }).first();
      await lens.waitFor({ state: 'visible', timeout: 60000 });
      // the lens sits above the function's line: the next view line holds "function total("
      const text = (await lens.innerText()).trim();
      const lines = (await page.locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ').split('\n');
      if (!/^function total\(/.test(lines[scenario.codeLensLine - 1] || '')) throw new Error(`line ${scenario.codeLensLine}: ${lines[scenario.codeLensLine - 1]}`);
      const all = (await page.locator('.monaco-editor .codelens-decoration').allInnerTexts()).map((t) => t.trim());
      return `lens "${text}"; all lenses: ${all.join(' | ')}`;
    }, { needs: ['stop debugging hides toolbar and status item'] });

    await step('after the session, hovering a variable lists the values it took (language server)', async () => {
      await focusEditor();
      const hover = page.locator('.monaco-hover', { hasText: /took \d+ values? in the recording/ }).first();
      await hoverToken(hover);
      const text = (await hover.innerText()).replace(/\s+/g, ' ');
      if (!text.includes(scenario.lspHover)) throw new Error(`hover: ${text}`);
      return text.slice(0, 240);
    }, { needs: ['after the session, a code lens says how often a function ran (language server)'] });
    await page.mouse.move(5, 5).catch(() => {});
    await page.keyboard.press('Escape').catch(() => {});

    await step('Record Current File starts a session on the open file', async () => {
      await openFile(path.basename(scenario.program));
      await command('ElixirScope: Record Current File');
      await page.waitForSelector('.debug-toolbar', { state: 'visible', timeout: 60000 });
      const line = await waitTopFrameLine((l) => l === scenario.breakpointLine, `top frame at line ${scenario.breakpointLine}`, 60000);
      await shot('record-current-file-stopped');
      await focusEditor();
      await page.keyboard.press('Shift+F5');
      await page.waitForSelector('.debug-toolbar', { state: 'hidden', timeout: TO });
      return `stopped at line ${line}`;
    }, { needs: ['stop debugging hides toolbar and status item'] });

    await step('Open Recording… replays a recording folder', async () => {
      const recDir = path.join(ws, '.elixirscope', 'recordings');
      const recs = fs.existsSync(recDir) ? fs.readdirSync(recDir).filter((d) => fs.statSync(path.join(recDir, d)).isDirectory()).sort() : [];
      if (!recs.length) throw new Error(`no recording in ${recDir}`);
      const rec = path.join(recDir, recs[recs.length - 1]);
      await openRecordingDialog(page, command, rec);
      await page.waitForSelector('.debug-toolbar', { state: 'visible', timeout: 60000 });
      await statusItem().waitFor({ state: 'visible', timeout: TO });
      const line = await waitTopFrameLine(() => true, 'a stopped frame', 60000);
      const text = (await statusItem().innerText()).trim();
      return `${path.relative(ws, rec)}: stopped at line ${line}; status ${text}`;
    }, { needs: ['Record Current File starts a session on the open file'] });

    // A finished recording has the clock samples the time axis needs (a live one paused at a breakpoint may not yet).
    await step('replay: timeline axis and bucket tooltip show time (ms/s), the tooltip keeps the event numbers', async () => {
      const wv = webview();
      const canvas = wv.locator('#timeline');
      const unit = /^\d+(\.\d+)? (µs|ms|s)$/;
      await command('ElixirScope: Open Timeline');
      await canvas.waitFor({ state: 'visible', timeout: TO });
      let labels = [];
      try {
        await waitFor(async () => {
          labels = (await wv.locator('#axis .tick').allInnerTexts()).map((t) => t.trim());
          return labels.length >= 1 && labels.every((t) => unit.test(t));
        }, 'axis labels with time units', TO, 250);
      } catch (e) { throw new Error(`axis labels without time units: ${JSON.stringify(labels)}`); }
      const box = await canvas.boundingBox();
      await canvas.hover({ position: { x: box.width * 0.5, y: box.height / 2 } });
      const tip = wv.locator('#tip');
      await tip.waitFor({ state: 'visible', timeout: 5000 });
      const text = (await tip.innerText()).replace(/\s+/g, ' ').trim();
      if (!/\d (µs|ms|s)\b/.test(text) || !/events? \d/.test(text)) throw new Error(`tooltip: ${text}`);
      const readout = (await wv.locator('#readout').innerText()).trim();
      if (!/^position \d+ of \d+ events · \d+(\.\d+)? (ms|s)\b/.test(readout)) throw new Error(`readout: ${readout}`);
      return `axis ${labels.join(' | ')}; tooltip "${text}"; readout "${readout}"`;
    }, { needs: ['Open Recording… replays a recording folder'] });
    await page.mouse.move(5, 5).catch(() => {});
    await focusEditor().catch(() => {});
    await page.keyboard.press('Shift+F5').catch(() => {});
    await page.waitForSelector('.debug-toolbar', { state: 'hidden', timeout: TO }).catch(() => {});
    await command('View: Close All Editors').catch(() => {});

    await step('Problems shows the syntax error', async () => {
      await openFile(path.basename(scenario.broken));
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: /expected/i }).first();
      await row.waitFor({ state: 'visible', timeout: 90000 }); // tsserver start-up on 2 cores
      return (await row.innerText()).replace(/\s+/g, ' ').trim();
    }, { needs: ['workbench loads'] });

    await step('Run Task "elixirscope: instrument": the terminal reports the files, Problems the syntax error', async () => {
      await page.keyboard.press('Escape').catch(() => {});
      // the palette focuses "Rerun All Running Tasks" first for this text: click the command's own row
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input').first();
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await page.keyboard.type('Tasks: Run Task');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: /^\s*Tasks: Run Task/ }).first().click();
      // first level: task types; the elixirscope entry lists the provider's tasks
      await page.waitForTimeout(500);
      await input.fill('elixirscope');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: /elixirscope/ }).first().waitFor({ timeout: TO });
      const first = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      await page.locator('.quick-input-list .monaco-list-row', { hasText: /elixirscope/ }).first().click();
      const task = page.locator('.quick-input-list .monaco-list-row', { hasText: /elixirscope: instrument|^\s*instrument/ }).first();
      await task.waitFor({ state: 'visible', timeout: TO });
      await shot('run-task-elixirscope-instrument-offered');
      await task.click();
      // Every terminal's rows: the task may not run in the last terminal element of the page (a CI
      // run read "" from `.last()` while the screenshot showed the task's output).
      const terms = page.locator('.terminal-wrapper .xterm-rows');
      let out = '';
      await waitFor(async () => {
        out = (await terms.allInnerTexts().catch(() => [])).join('\n').replace(/\u00a0/g, ' ');
        return /instrumented \d+ files?/.test(out);
      }, `task output "instrumented N files" (terminal: ${JSON.stringify(out.slice(-300))})`, 120000, 500);
      const done = /elixirscope: instrumented [^\n]*/.exec(out)[0].trim();
      await shot('run-task-instrument-terminal');
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: /elixirscope/ }).filter({ hasText: /expected/i }).first();
      await row.waitFor({ state: 'visible', timeout: TO });
      return `picker: ${first.join(' | ')}; terminal: "${done}"; Problems: ${(await row.innerText()).replace(/\s+/g, ' ').trim()}`;
    }, { needs: ['workbench loads'] });

    if (scale) await scaleSteps(scale); // the fake adapter replays a fixed 12-event trace: nothing to scale
    void stopped;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop();
  }
}

/**
 * A recording of >=10M events, made with the CLI while the workbench starts (the program of
 * scripts/bench-dap.mjs: 12 events per loop iteration, ~7 s on 2 cores). Outside the workspace, with
 * its own package.json, so its build cache and recording touch nothing the other steps look at.
 * Returns a promise of {rec, program, events, ms}.
 */
function recordScaleProgram(root) {
  const dir = path.join(root, 'scale');
  const iterations = Number(process.env.SCALE_ITERATIONS || 900000);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "e2e-scale", "private": true }\n');
  const program = path.join(dir, 'ledger.js');
  fs.writeFileSync(program, [
    'const start = { opened: true };',
    'function post(balance, amount) {',
    '  const fee = amount % 7;',
    '  return balance + amount - fee;',
    '}',
    'let balance = 0;',
    `for (let i = 0; i < ${iterations}; i++) {`,
    '  balance = post(balance, i % 100);',
    '}',
    'console.log(balance, start.opened);',
    '',
  ].join('\n'));
  const rec = path.join(dir, 'recording');
  const cli = path.join(REPO, 'dist', 'cli.js');
  const t = Date.now();
  const run = (args) => new Promise((resolve, reject) => {
    const p = require('child_process').spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`elixirscope ${args[0]} exited ${code}: ${out.slice(-500)}`))));
  });
  const done = (async () => {
    await run(['record', '--mode', 'full', '--out', rec, '--quiet', '--', program]);
    const ms = Date.now() - t;
    const stats = JSON.parse(await run(['query', rec, 'stats', '--json']));
    return { rec, program, events: stats.events, ms };
  })();
  done.catch(() => {}); // awaited by the scale steps; an early failure must not be an unhandled rejection
  return done;
}

/** In the timeline webview: the loaded data covers the visible window (the last zoom/pan is rendered). */
async function timelineSettled(canvas) {
  return canvas.evaluate((el) => !!el.dataset.view && el.dataset.loaded === el.dataset.view);
}
/** Waits until the webview has drawn the data for its visible window; returns the ms it took. */
async function waitTimelineSettled(canvas, t0, what, timeout = TO) {
  await page.waitForTimeout(20);
  await waitFor(() => timelineSettled(canvas), `${what}: timeline data for the visible window (view ${''})`, timeout, 25);
  return Date.now() - t0;
}
const viewOf = async (canvas) => (await canvas.getAttribute('data-view')).split('-').map(Number);

/**
 * Timeline at scale (issue 7): open a >=10M-event recording, zoom with the real wheel down to single
 * events, pan (shift+wheel, Page Down), click to scrub, and the keyboard. The webview must stay
 * responsive: a requestAnimationFrame loop inside it records the longest gap between frames while
 * all of this happens, and every zoom/pan must be drawn with its data within SCALE_RENDER_MS.
 */
async function scaleSteps(scaleP) {
  const RENDER_MS = Number(process.env.SCALE_RENDER_MS || 5000); // input -> data for the new window drawn
  const FRAME_GAP_MS = Number(process.env.SCALE_FRAME_GAP_MS || 1000); // longest frame gap in the webview
  const O = 'scale: Open Recording… of a >=10M-event recording, and its timeline';
  let scale;
  const renders = []; // ms per zoom/pan, input to data drawn
  await step(O, async () => {
    scale = await scaleP;
    if (scale.events < 10e6) throw new Error(`the scale recording has ${scale.events} events`);
    await command('View: Close All Editors').catch(() => {});
    await openRecordingDialog(page, command, scale.rec);
    await page.waitForSelector('.debug-toolbar', { state: 'visible', timeout: 60000 });
    await waitFor(async () => (await statusEvents().catch(() => 0)) >= 10e6, 'status bar with >=10M events', 60000, 250);
    await page.keyboard.press('Control+Shift+D');
    await page.waitForSelector('.debug-call-stack', { timeout: 10000 });
    await waitTopFrameLine(() => true, 'a stopped frame', 60000);
    const t0 = Date.now();
    await command('ElixirScope: Open Timeline');
    const canvas = webview().locator('#timeline');
    await canvas.waitFor({ state: 'visible', timeout: TO });
    const first = await waitTimelineSettled(canvas, t0, 'whole recording', 60000);
    const readout = (await webview().locator('#readout').innerText()).trim();
    if (!readout.includes(`of ${scale.events.toLocaleString('en-US')} events`)) throw new Error(`readout: ${readout}`);
    // activity per function: post() ran once per loop iteration
    const fns = (await webview().locator('#functions').innerText()).replace(/\s+/g, ' ').trim();
    if (!/post ×[\d,]+/.test(fns)) throw new Error(`functions: ${fns}`);
    return `functions "${fns}"; recorded ${scale.events.toLocaleString('en-US')} events in ${scale.ms} ms (in parallel with the steps above); ` +
      `status "${(await statusItem().innerText()).trim()}"; whole-recording timeline drawn ${first} ms after Open Timeline; readout "${readout}"`;
  }, { needs: ['workbench loads'] });

  const Z = 'scale: the mouse wheel zooms to single events, each zoom drawn in time, the webview never freezes';
  await step(Z, async () => {
    const wv = webview();
    const canvas = wv.locator('#timeline');
    // a frame-gap monitor inside the webview (playwright evaluates over CDP, outside the page's CSP)
    await canvas.evaluate(() => {
      const g = { max: 0, frames: 0, run: true };
      let last = performance.now();
      const tick = (t) => { g.max = Math.max(g.max, t - last); g.frames++; last = t; if (g.run) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      window.__esFrames = g;
    });
    const box = await canvas.boundingBox();
    // zoom about 3/8 of the width: not the middle of a bucket boundary, nowhere special
    await page.mouse.move(box.x + box.width * 0.375, box.y + box.height / 2);
    const [f0, t0] = await viewOf(canvas);
    let notches = 0;
    for (let burst = 0; burst < 40; burst++) {
      if ((await wv.locator('#readout').innerText()).includes('one event per bar')) break;
      const t = Date.now();
      for (let i = 0; i < 3; i++) { await page.mouse.wheel(0, -100); notches++; } // one render per burst (the webview debounces 120 ms)
      renders.push(await waitTimelineSettled(canvas, t, `zoom burst ${burst + 1}`));
    }
    const readout = (await wv.locator('#readout').innerText()).trim();
    if (!readout.includes('one event per bar')) throw new Error(`no single-event level after ${notches} wheel notches: ${readout}`);
    const [f1, t1] = await viewOf(canvas);
    const { max, frames } = await canvas.evaluate(() => window.__esFrames);
    const slow = Math.max(...renders);
    if (slow > RENDER_MS) throw new Error(`a zoom took ${slow} ms to draw (bound ${RENDER_MS} ms): ${renders.join(', ')}`);
    if (max > FRAME_GAP_MS) throw new Error(`the webview froze for ${Math.round(max)} ms (bound ${FRAME_GAP_MS} ms)`);
    // the tooltip over a bar names a single event
    await canvas.hover({ position: { x: box.width * 0.375, y: box.height / 2 } });
    const tip = (await wv.locator('#tip').innerText()).replace(/\s+/g, ' ').trim();
    if (!/\bevent [\d,]+ /.test(tip + ' ') || !/1 recorded/.test(tip)) throw new Error(`tooltip at single-event level: ${tip}`);
    const sorted = [...renders].sort((a, b) => a - b);
    return `${notches} wheel notches in ${renders.length} bursts: view ${f0}–${t0} → ${f1}–${t1} (${t1 - f1} events); ` +
      `draw with data per burst: median ${sorted[sorted.length >> 1]} ms, max ${slow} ms (bound ${RENDER_MS}); ` +
      `longest webview frame gap ${Math.round(max)} ms over ${frames} frames (bound ${FRAME_GAP_MS}); tooltip "${tip}"; readout "${readout}"`;
  }, { needs: [O] });

  const P = 'scale: shift+wheel and Page Down pan at single-event level';
  await step(P, async () => {
    const wv = webview();
    const canvas = wv.locator('#timeline');
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + box.width * 0.375, box.y + box.height / 2);
    const [a0, a1] = await viewOf(canvas);
    let t = Date.now();
    await page.keyboard.down('Shift');
    await page.mouse.wheel(0, 300);
    await page.keyboard.up('Shift');
    const ms1 = await waitTimelineSettled(canvas, t, 'shift+wheel pan');
    const [b0, b1] = await viewOf(canvas);
    if (b0 <= a0 || b1 - b0 !== a1 - a0) throw new Error(`shift+wheel: view ${a0}–${a1} → ${b0}–${b1}`);
    await canvas.focus();
    t = Date.now();
    await canvas.press('PageDown');
    const ms2 = await waitTimelineSettled(canvas, t, 'Page Down pan');
    const [c0, c1] = await viewOf(canvas);
    if (c0 !== b0 + Math.round((b1 - b0) / 2) || c1 - c0 !== b1 - b0) throw new Error(`Page Down: view ${b0}–${b1} → ${c0}–${c1}`);
    const readout = (await wv.locator('#readout').innerText()).trim();
    if (!readout.includes('one event per bar')) throw new Error(`readout after panning: ${readout}`);
    renders.push(ms1, ms2);
    const { max } = await canvas.evaluate(() => window.__esFrames);
    if (max > FRAME_GAP_MS) throw new Error(`the webview froze for ${Math.round(max)} ms (bound ${FRAME_GAP_MS} ms)`);
    return `shift+wheel ${a0}–${a1} → ${b0}–${b1} drawn in ${ms1} ms; Page Down → ${c0}–${c1} drawn in ${ms2} ms; longest frame gap so far ${Math.round(max)} ms`;
  }, { needs: [Z] });

  const C = 'scale: a click on a single event scrubs: status bar, call stack and editor follow';
  await step(C, async () => {
    const wv = webview();
    const canvas = wv.locator('#timeline');
    const [v0, v1] = await viewOf(canvas);
    const before = await statusSeq();
    const box = await canvas.boundingBox();
    await canvas.click({ position: { x: box.width * 0.5, y: box.height / 2 } });
    const now = await waitPositionChange(before, 'timeline click at single-event level');
    // the adapter snaps to the nearest stop: a statement of that loop iteration, a few events away at most
    if (now < v0 - 12 || now > v1 + 12) throw new Error(`position @${now} is not near the clicked window ${v0}–${v1}`);
    const line = await waitTopFrameLine((l) => l >= 2 && l <= 8, 'top frame inside the loop or post()');
    await page.locator('.tab.active', { hasText: 'ledger.js' }).first().waitFor({ state: 'visible', timeout: TO });
    await page.waitForSelector('.monaco-editor .debug-top-stack-frame-line', { timeout: TO });
    await waitFor(async () => (await wv.locator('#readout').innerText()).startsWith(`position ${now.toLocaleString('en-US')} of`), `readout at ${now}`, TO, 250);
    return `clicked the middle of ${v0}–${v1}: @${before} → @${now}; editor ledger.js line ${line}`;
  }, { needs: [Z] });

  await step('scale: keyboard zooms out (−, 0), arrows move one event, focus is visible', async () => {
    const wv = webview();
    const canvas = wv.locator('#timeline');
    await canvas.focus();
    const focus = await canvas.evaluate((el) => {
      const want = getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder').trim();
      const px = el.getContext('2d').getImageData(0, Math.floor(el.height / 2), 1, 1).data;
      const probe = document.createElement('div'); probe.style.color = want; document.body.append(probe);
      const rgb = getComputedStyle(probe).color.match(/\d+/g).map(Number); probe.remove();
      return { active: document.activeElement === el, want, px: [...px].slice(0, 3), rgb: rgb.slice(0, 3) };
    });
    if (!focus.active) throw new Error('the canvas did not take focus');
    if (focus.px.some((c, i) => Math.abs(c - focus.rgb[i]) > 40)) throw new Error(`no focus ring: left edge ${focus.px} vs focusBorder ${focus.want} (${focus.rgb})`);
    // one bar is one event here: ArrowRight asks for the next event (the adapter snaps to the next stop)
    const from = await statusSeq();
    let to = from;
    for (let i = 0; i < 8 && to === from; i++) {
      await canvas.press('ArrowRight');
      await page.waitForTimeout(400);
      to = await statusSeq();
    }
    if (!(to > from)) throw new Error(`ArrowRight x8 did not move forward from @${from} (now @${to})`);
    await page.waitForTimeout(500);
    const [s0, s1] = await viewOf(canvas);
    let t = Date.now();
    await canvas.press('-');
    const ms1 = await waitTimelineSettled(canvas, t, 'key −');
    const [m0, m1] = await viewOf(canvas);
    if (m1 - m0 <= s1 - s0) throw new Error(`− did not zoom out: ${s0}–${s1} → ${m0}–${m1}`);
    t = Date.now();
    await canvas.press('0');
    const ms2 = await waitTimelineSettled(canvas, t, 'key 0');
    const [w0, w1] = await viewOf(canvas);
    const total = Number(await canvas.getAttribute('data-total'));
    if (w0 !== 0 || w1 !== total) throw new Error(`0 did not show the whole recording: ${w0}–${w1} of ${total}`);
    const { max } = await canvas.evaluate(() => { window.__esFrames.run = false; return window.__esFrames; });
    if (max > FRAME_GAP_MS) throw new Error(`the webview froze for ${Math.round(max)} ms (bound ${FRAME_GAP_MS} ms)`);
    const sorted = [...renders, ms1, ms2].sort((a, b) => a - b);
    return `focus ring ${focus.px} (focusBorder ${focus.want}); ArrowRight @${from} → @${to}; − ${s0}–${s1} → ${m0}–${m1} in ${ms1} ms; 0 → whole ${w0}–${w1} in ${ms2} ms; ` +
      `all ${sorted.length} zoom/pan renders: median ${sorted[sorted.length >> 1]} ms, max ${sorted[sorted.length - 1]} ms; longest frame gap ${Math.round(max)} ms`;
  }, { needs: [Z] });

  await page.mouse.move(5, 5).catch(() => {});
  await focusEditor().catch(() => {});
  await page.keyboard.press('Shift+F5').catch(() => {});
  await page.waitForSelector('.debug-toolbar', { state: 'hidden', timeout: TO }).catch(() => {});
}

/**
 * `npm run workbench` as a user meets it: it prints the URL; code-server runs with workspace trust on
 * (no --disable-workspace-trust), so the workbench asks whether to trust the example folder; choosing
 * "Yes, I trust the authors" gives a trusted workspace with ElixirScope active; Ctrl+C stops it all.
 */
async function workbenchPhase({ chromium, root }) {
  const home = path.join(root, 'workbench-home');
  const W = 'npm run workbench: prints the URL, code-server keeps workspace trust on';
  const child = require('child_process').spawn(process.execPath, [path.join(REPO, 'scripts', 'e2e', 'workbench.cjs')], {
    cwd: REPO, env: { ...process.env, WORKBENCH_HOME: home, SKIP_BUILD: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  let exited = null;
  child.on('exit', (c, sig) => { exited = `${c}/${sig}`; });
  let browser;
  let url;
  page = undefined; // the previous phase's page is closed: no screenshot before this phase's browser
  try {
    await step(W, async () => {
      url = await waitFor(() => { if (exited) throw new Error(`workbench exited ${exited}: ${out}`); return (/Open: (http\S+)/.exec(out) || [])[1]; }, 'the URL on stdout', 120000, 200);
      // the code-server process the script started: its command line
      const cmd = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => { try { return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0'); } catch { return []; } })
        .find((a) => a.includes('--user-data-dir') && a[a.indexOf('--user-data-dir') + 1] === path.join(home, 'user-data') && a.some((x) => x.endsWith('entry.js')));
      if (!cmd) throw new Error('no code-server process with the workbench user-data dir');
      if (cmd.includes('--disable-workspace-trust')) throw new Error(`code-server started with --disable-workspace-trust: ${cmd.join(' ')}`);
      const settings = JSON.parse(fs.readFileSync(path.join(home, 'user-data', 'User', 'settings.json'), 'utf8'));
      if (settings['security.workspace.trust.enabled'] !== true) throw new Error('user settings do not enable workspace trust');
      return `URL ${url}; folder ${decodeURIComponent(url.split('folder=')[1] || '')}; no --disable-workspace-trust`;
    });
    await step('npm run workbench: VS Code asks to trust the folder; "Yes" trusts it and ElixirScope is active', async () => {
      browser = await chromium.launch({ executablePath: TOOLS.CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
      page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
      const dialog = page.locator('.monaco-dialog-box', { hasText: /Do you trust the authors/ }).first();
      await dialog.waitFor({ state: 'visible', timeout: 60000 });
      await shot('workbench-trust-prompt');
      await dialog.locator('.monaco-button', { hasText: /Yes, I trust/i }).first().click();
      await dialog.waitFor({ state: 'hidden', timeout: 10000 });
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
      await command('ElixirScope: Open Timeline');
      const empty = webview().locator('#empty');
      await empty.waitFor({ state: 'visible', timeout: 45000 });
      await page.waitForTimeout(1000);
      if (await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().isVisible().catch(() => false)) throw new Error('still in Restricted Mode');
      return `trusted by the user's choice; timeline says "${(await empty.innerText()).trim()}"`;
    }, { needs: [W] });
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (!exited) child.kill('SIGINT');
    await waitFor(() => exited, 'npm run workbench to stop on SIGINT', 15000, 100).catch(() => {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    });
  }
}

/** PHASES=scale: only the timeline-at-scale steps, in their own code-server (for working on them). */
async function scalePhase({ chromium, root, userData, extensionsDir, ws, env, scale }) {
  const server = await lib.startCodeServer({ root, userData, extensionsDir, workspace: ws, env, name: 'code-server-scale' });
  log('scale code-server on', server.url);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: TOOLS.CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await step('workbench loads', async () => {
      await page.goto(server.url);
      await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
      await page.waitForSelector('.part.statusbar', { timeout: 60000 });
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
    });
    await scaleSteps(scale);
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop();
  }
}

/** UNTRUSTED_MESSAGE of extension/configuration-provider.ts (string literals joined with +). */
function untrustedMessage() {
  const src = fs.readFileSync(path.join(REPO, 'extension', 'configuration-provider.ts'), 'utf8');
  const m = /UNTRUSTED_MESSAGE\s*=\s*([^;]+);/.exec(src);
  if (!m) throw new Error('UNTRUSTED_MESSAGE not found in extension/configuration-provider.ts');
  return [...m[1].matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((x) => x[1]).join('');
}
/** Files (relative path → size and mtime) under `dir`, to prove a folder was not written. */
function fileStamps(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else { const st = fs.statSync(f); out[path.relative(dir, f)] = `${st.size}@${st.mtimeMs}`; }
    }
  };
  walk(dir);
  return out;
}
/** `.elixirscope` folders (instrumented builds, recordings) anywhere under `dir`. */
function elixirscopeDirs(dir) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === 'node_modules') continue;
      if (e.name === '.elixirscope') found.push(path.relative(dir, path.join(d, e.name))); else walk(path.join(d, e.name));
    }
  };
  walk(dir);
  return found;
}
/** The modal dialog VS Code shows before running anything in Restricted Mode; Cancel it. */
async function cancelTrustRequest(reason, shotName) {
  const dialog = page.locator('.monaco-dialog-box', { hasText: /Do you trust the authors/ }).first();
  await dialog.waitFor({ state: 'visible', timeout: TO });
  const text = (await dialog.innerText()).replace(/\s+/g, ' ').trim();
  if (!reason.test(text)) throw new Error(`trust dialog without ${reason}: ${text}`);
  await shot(shotName);
  await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: 10000 });
  return text;
}

/**
 * Workspace trust: a second code-server with trust on, the folder opened in Restricted Mode. Nothing
 * may be instrumented or run; an existing recording (made beforehand with the CLI, as if shared by
 * someone) opens read-only. VS Code itself asks for trust before any debug session or task, so F5
 * and Run Task are checked up to that dialog, cancelled.
 */
async function untrustedPhase({ chromium, root, extensionsDir, env }) {
  const userData = path.join(root, 'user-data-untrusted');
  lib.writeUserSettings(userData, { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'always' });
  const { dir: ws } = lib.makeWorkspace(path.join(root, 'workspace-untrusted'), { settings: { 'elixirscope.mode': 'full' } });
  const rec = path.join(ws, 'shared-recording', '20250101-000000-000');
  const r = require('child_process').spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'record', '--mode', 'full', '--out', rec, '--quiet', '--', scenario.program],
    { cwd: ws, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`recording the scenario for the untrusted workspace failed:\n${r.stdout}${r.stderr}`);
  for (const d of elixirscopeDirs(ws)) fs.rmSync(path.join(ws, d), { recursive: true, force: true }); // the CLI's build cache
  const recBefore = fileStamps(rec);

  const server = await lib.startCodeServer({ root, userData, extensionsDir, workspace: ws, env, trust: true, name: 'code-server-untrusted' });
  log('untrusted code-server on', server.url);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: TOOLS.CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    const U = 'untrusted: the folder opens in Restricted Mode';

    await step(U, async () => {
      await page.goto(server.url);
      await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
      const dialog = page.locator('.monaco-dialog-box', { hasText: /Do you trust the authors/ }).first();
      await dialog.waitFor({ state: 'visible', timeout: 60000 });
      await shot('untrusted-startup-trust-prompt');
      await dialog.locator('.monaco-button', { hasText: /don't trust/i }).first().click();
      await dialog.waitFor({ state: 'hidden', timeout: 10000 });
      await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: TO });
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
      return 'chose "No, I don\'t trust the authors"; status bar shows Restricted Mode';
    });

    await step('untrusted: Record Current File refuses with the reason', async () => {
      await openFile(path.basename(scenario.program));
      await command('ElixirScope: Record Current File');
      const toast = page.locator('.notification-toast', { hasText: 'does not record programs in an untrusted workspace' }).first();
      await toast.waitFor({ state: 'visible', timeout: 45000 }); // first command activates the extension
      const text = (await toast.innerText()).replace(/\s+/g, ' ').trim();
      if (!text.includes(untrustedMessage())) throw new Error(`toast: ${text}`);
      await page.waitForTimeout(1500);
      if (await page.locator('.debug-toolbar').isVisible().catch(() => false)) throw new Error('a debug session started');
      await shot('untrusted-record-current-file-refused');
      await page.keyboard.press('Escape');
      await command('Notifications: Clear All Notifications').catch(() => {});
      return text;
    }, { needs: [U] });

    await step('untrusted: F5 runs nothing (VS Code asks for trust; Cancel)', async () => {
      await openFile(path.basename(scenario.program));
      await focusEditor();
      await page.keyboard.press('F5');
      const text = await cancelTrustRequest(/Debugging executes build tasks and program code/, 'untrusted-f5-trust-dialog');
      await page.waitForTimeout(2000);
      if (await page.locator('.debug-toolbar').isVisible().catch(() => false)) throw new Error('a debug session started');
      return text.slice(0, 200);
    }, { needs: [U] });

    await step('untrusted: Run Task offers no elixirscope: instrument (VS Code asks for trust; Cancel)', async () => {
      // the row the palette focuses first for this text is "Rerun All Running Tasks": click the command's own row
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').first().waitFor({ state: 'visible', timeout: 10000 });
      await page.keyboard.type('Tasks: Run Task');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: /^\s*Tasks: Run Task/ }).first();
      await row.waitFor({ state: 'visible', timeout: 10000 });
      await row.click();
      const text = await cancelTrustRequest(/Listing and running tasks/, 'untrusted-run-task-trust-dialog');
      await page.waitForTimeout(1500);
      const rows = await page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row').allInnerTexts().catch(() => []);
      if (rows.some((t) => /instrument|elixirscope/i.test(t))) throw new Error(`task list offered: ${rows.join(' | ')}`);
      return text.slice(0, 200);
    }, { needs: [U] });

    await step('untrusted: Open Recording… shows an existing recording read-only', async () => {
      await command('View: Close All Editors').catch(() => {});
      await openRecordingDialog(page, command, rec);
      const toast = page.locator('.notification-toast', { hasText: /read-only \(Restricted Mode\)/ }).first();
      await toast.waitFor({ state: 'visible', timeout: TO });
      const note = (await toast.innerText()).replace(/\s+/g, ' ').trim();
      await openFile(path.basename(scenario.program));
      const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: scenario.codeLens }).first();
      await lens.waitFor({ state: 'visible', timeout: 60000 });
      await focusEditor();
      // Restricted Mode has no semantic colouring, so `sum` shares a span with its neighbours: hover the word itself
      const hover = page.locator('.monaco-hover', { hasText: /took \d+ values? in the recording/ }).first();
      for (let i = 1; ; i++) {
        const box = await wordBox('sum = sum + p', 'sum');
        await page.mouse.move(box.x + 1, box.y + box.height / 2);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
        try { await hover.waitFor({ state: 'visible', timeout: 8000 }); break; } catch (e) {
          if (i >= 4) throw e;
          await page.mouse.move(5, 5);
          await page.waitForTimeout(500);
        }
      }
      const h = (await hover.innerText()).replace(/\s+/g, ' ');
      if (!h.includes(scenario.lspHover)) throw new Error(`hover: ${h}`);
      if (await page.locator('.debug-toolbar').isVisible().catch(() => false)) throw new Error('a debug session started');
      return `lens "${(await lens.innerText()).trim()}"; hover "${h.slice(0, 120)}"; note "${note.slice(0, 160)}"`;
    }, { needs: [U] });
    await page.mouse.move(5, 5).catch(() => {});

    await step('untrusted: nothing was instrumented or recorded, the recording is unchanged', async () => {
      const dirs = elixirscopeDirs(ws);
      if (dirs.length) throw new Error(`written in the untrusted workspace: ${dirs.join(', ')}`);
      const after = fileStamps(rec);
      const changed = Object.keys({ ...recBefore, ...after }).filter((f) => recBefore[f] !== after[f]);
      if (changed.length) throw new Error(`recording files changed: ${changed.join(', ')}`);
      return `no .elixirscope folder in the workspace; ${Object.keys(after).length} recording files unchanged`;
    }, { needs: [U] });
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.stop();
  }
}

async function main() {
  lib.checkTools(true);
  fs.mkdirSync(ART, { recursive: true });
  for (const f of fs.readdirSync(ART)) if (f.endsWith('.png')) fs.rmSync(path.join(ART, f));
  const { chromium } = require(TOOLS.PLAYWRIGHT_CORE);

  // ---------- build + stage ----------
  let buildInfo = { full: true, output: 'skipped' };
  if (!process.env.SKIP_BUILD) buildInfo = lib.build();
  log(buildInfo.full ? 'build: all bundles' : `build: FULL BUILD FAILED, extension bundle built alone:\n${buildInfo.output}`);
  const root = lib.tmpRoot('es-e2e-');
  const userData = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  fs.mkdirSync(userData, { recursive: true });
  const staged = process.env.EXT_VSIX ? lib.installVsix(process.env.EXT_VSIX, extensionsDir, userData) : lib.stageExtension(extensionsDir);
  log('staged', staged.dest, 'runtime deps:', staged.deps.join(' ') || '(none)');
  const { dir: ws, scenario } = lib.makeWorkspace(path.join(root, 'workspace'), {
    settings: { 'elixirscope.mode': 'full', 'elixirscope.snapshot.maxDepth': 4 },
  });
  lib.writeUserSettings(userData);
  const fakeLog = path.join(root, 'fake-adapter.jsonl');
  const env = ADAPTER === 'fake' ? { ELIXIRSCOPE_ADAPTER: path.join(__dirname, 'fake-adapter.cjs'), ELIXIRSCOPE_FAKE_LOG: fakeLog } : {};

  const phases = (process.env.PHASES || 'trusted,untrusted,workbench').split(',');
  // the >=10M-event recording is made while the workbench starts and the first steps run
  const scale = ADAPTER === 'real' && (phases.includes('trusted') || phases.includes('scale')) ? recordScaleProgram(root) : undefined;
  try {
    if (phases.includes('trusted')) await trustedPhase({ chromium, root, userData, extensionsDir, ws, scenario, env, fakeLog, scale });
    if (phases.includes('scale')) await scalePhase({ chromium, root, userData, extensionsDir, ws, env, scale });
    if (phases.includes('untrusted')) await untrustedPhase({ chromium, root, extensionsDir, env });
    if (phases.includes('workbench')) await workbenchPhase({ chromium, root });
  } catch (e) {
    results.push({ name: 'harness', ok: false, error: String(e && e.stack || e) });
    log('harness error', e);
  } finally {
    const failed = results.filter((r) => !r.ok);
    fs.writeFileSync(path.join(ART, 'results.json'), JSON.stringify({ adapter: ADAPTER, build: buildInfo, tmp: root, results }, null, 2));
    if (!process.env.KEEP && !failed.length) fs.rmSync(root, { recursive: true, force: true });
    else log('kept', root, '(code-server.log, workspace, fake-adapter.jsonl)');
    console.log('');
    for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name}${r.ok ? '' : `: ${r.error}`}`);
    console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
    process.exit(failed.length ? 1 : 0);
  }
}

main().catch((e) => { console.error(e); console.log('0 passed, 1 failed'); process.exit(1); });
