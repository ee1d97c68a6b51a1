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
//   PHASES=trusted,untrusted which workbench runs (default both): the main scenario with workspace trust off,
//                           then a second code-server with trust on and the folder in Restricted Mode
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
  const m = /@([\d,]+)\s*$/.exec((await statusItem().innerText()).trim());
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
async function trustedPhase({ chromium, root, userData, extensionsDir, ws, scenario, env, fakeLog }) {
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
      if (!/\d.*events.*@\d/.test(text)) throw new Error(`status bar: "${text}"`);
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
      const term = page.locator('.terminal-wrapper .xterm-rows').last();
      let out = '';
      await waitFor(async () => {
        out = (await term.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
        return /instrumented \d+ files?/.test(out);
      }, `task output "instrumented N files" (terminal: ${JSON.stringify(out.slice(-300))})`, 120000, 500);
      const done = /elixirscope: instrumented [^\n]*/.exec(out)[0].trim();
      await shot('run-task-instrument-terminal');
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: /elixirscope/ }).filter({ hasText: /expected/i }).first();
      await row.waitFor({ state: 'visible', timeout: TO });
      return `picker: ${first.join(' | ')}; terminal: "${done}"; Problems: ${(await row.innerText()).replace(/\s+/g, ' ').trim()}`;
    }, { needs: ['workbench loads'] });
    void stopped;
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

  const phases = (process.env.PHASES || 'trusted,untrusted').split(',');
  try {
    if (phases.includes('trusted')) await trustedPhase({ chromium, root, userData, extensionsDir, ws, scenario, env, fakeLog });
    if (phases.includes('untrusted')) await untrustedPhase({ chromium, root, extensionsDir, env });
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
