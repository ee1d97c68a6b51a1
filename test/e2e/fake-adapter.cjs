#!/usr/bin/env node
// Scripted ElixirScope debug adapter for the e2e harness (ADAPTER=fake). It replays the fixed
// trace of scenario.cjs over DAP on stdio, with the same capabilities and custom requests as the
// real adapter (stepBack, reverseContinue, elixirscope/seek|valueHistory|timeline|info|origin).
// Purpose: verify the VS Code side (extension/ + media/) in a real workbench independently of
// the adapter's progress. It is NOT a stand-in for adapter tests. Launch args it receives are
// appended as JSON lines to $ELIXIRSCOPE_FAKE_LOG (so the harness can check settings are passed).
'use strict';
const fs = require('fs');
const path = require('path');
const {
  DebugSession, InitializedEvent, StoppedEvent, TerminatedEvent, OutputEvent, Thread, StackFrame, Source, Scope, Breakpoint,
} = require('@vscode/debugadapter');
const scenario = require('./scenario.cjs');

const TRACE = scenario.TRACE;
const THREAD = 1;
const LAST = TRACE.length - 1;
const depth = (seq) => (TRACE[seq].fn === '<module>' ? 0 : 1);

function log(obj) {
  const f = process.env.ELIXIRSCOPE_FAKE_LOG;
  if (f) try { fs.appendFileSync(f, JSON.stringify(obj) + '\n'); } catch { /* ignore */ }
}

class FakeSession extends DebugSession {
  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.seq = 0;
    this.program = '';
    this.breakpoints = new Set();
    this.stopOnEntry = false;
  }

  initializeRequest(response) {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsEvaluateForHovers: true,
      supportsRestartFrame: false,
      supportsGotoTargetsRequest: false,
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  launchRequest(response, args) {
    log({ request: 'launch', args });
    // a replay (args.recording) shows the scenario program, as recorded in the workspace
    this.program = args.program || path.join(args.cwd || process.cwd(), scenario.program);
    this.stopOnEntry = !!args.stopOnEntry;
    if (args.out) { fs.mkdirSync(args.out, { recursive: true }); fs.writeFileSync(path.join(args.out, 'FAKE_RECORDING'), this.program); }
    this.sendResponse(response);
  }

  setBreakPointsRequest(response, args) {
    const file = args.source.path || '';
    const lines = (args.breakpoints || []).map((b) => b.line);
    if (path.resolve(file) === path.resolve(this.program)) this.breakpoints = new Set(lines);
    response.body = { breakpoints: lines.map((l) => new Breakpoint(TRACE.some((t) => t.line === l), l)) };
    this.sendResponse(response);
  }

  configurationDoneRequest(response) {
    this.sendResponse(response);
    if (this.stopOnEntry) { this.seq = 0; this.stop('entry'); } else this.runForward(-1);
  }

  threadsRequest(response) {
    response.body = { threads: [new Thread(THREAD, 'main')] };
    this.sendResponse(response);
  }

  source() { return new Source(path.basename(this.program), this.program); }

  stackTraceRequest(response) {
    const cur = TRACE[this.seq];
    const frames = [new StackFrame(1, cur.fn, this.source(), cur.line, 1)];
    if (depth(this.seq) === 1) frames.push(new StackFrame(2, '<module>', this.source(), 10, 1));
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  scopesRequest(response, args) {
    response.body = { scopes: [new Scope('Locals', 1000 + args.frameId, false)] };
    this.sendResponse(response);
  }

  frameVars(frameId) {
    if (frameId === 2) return TRACE[1].vars; // caller frame (module) while inside total()
    return TRACE[this.seq].vars;
  }

  variablesRequest(response, args) {
    const vars = this.frameVars(args.variablesReference - 1000);
    response.body = { variables: Object.entries(vars).map(([name, value]) => ({ name, value, variablesReference: 0 })) };
    this.sendResponse(response);
  }

  evaluateRequest(response, args) {
    const vars = this.frameVars(args.frameId || 1);
    if (Object.prototype.hasOwnProperty.call(vars, args.expression)) {
      response.body = { result: vars[args.expression], variablesReference: 0 };
      this.sendResponse(response);
    } else {
      this.sendErrorResponse(response, 2001, `${args.expression} is not available here`);
    }
  }

  stop(reason) { this.sendEvent(new StoppedEvent(reason, THREAD)); }

  runForward(from) {
    for (let s = from + 1; s <= LAST; s++) if (this.breakpoints.has(TRACE[s].line)) { this.seq = s; return this.stop('breakpoint'); }
    this.seq = LAST;
    this.sendEvent(new OutputEvent('total 60\n', 'stdout'));
    this.stop('step'); // end of the recording: stay stopped there so the user can go back
  }

  continueRequest(response) { response.body = { allThreadsContinued: true }; this.sendResponse(response); this.runForward(this.seq); }

  reverseContinueRequest(response) {
    this.sendResponse(response);
    for (let s = this.seq - 1; s >= 0; s--) if (this.breakpoints.has(TRACE[s].line)) { this.seq = s; return this.stop('breakpoint'); }
    this.seq = 0; this.stop('entry');
  }

  nextRequest(response) {
    this.sendResponse(response);
    const d = depth(this.seq);
    let s = this.seq + 1;
    while (s <= LAST && depth(s) > d) s++;
    this.seq = Math.min(s, LAST); this.stop('step');
  }

  stepBackRequest(response) {
    this.sendResponse(response);
    const d = depth(this.seq);
    let s = this.seq - 1;
    while (s > 0 && depth(s) > d) s--;
    this.seq = Math.max(0, s); this.stop('step');
  }

  stepInRequest(response) { this.sendResponse(response); this.seq = Math.min(this.seq + 1, LAST); this.stop('step'); }

  stepOutRequest(response) {
    this.sendResponse(response);
    const d = depth(this.seq);
    let s = this.seq + 1;
    while (s <= LAST && depth(s) >= d && d > 0) s++;
    this.seq = Math.min(s, LAST); this.stop('step');
  }

  history(name) {
    const out = [];
    let prev;
    for (let s = 0; s <= LAST; s++) {
      const v = TRACE[s].vars[name];
      if (v !== undefined && v !== prev) out.push({ seq: s, value: v, file: this.program, line: s > 0 ? TRACE[s - 1].line : TRACE[s].line });
      prev = v;
    }
    return out;
  }

  customRequest(command, response, args) {
    log({ request: command, args });
    switch (command) {
      case 'elixirscope/seek': {
        const seq = Math.max(0, Math.min(LAST, Math.round(Number(args && args.seq) || 0)));
        this.seq = seq;
        response.body = { seq };
        this.sendResponse(response);
        this.stop('goto');
        return;
      }
      case 'elixirscope/info':
        response.body = { dir: '/tmp/fake-recording', events: TRACE.length + 2, bytes: 123456, seq: this.seq, live: false };
        return this.sendResponse(response);
      case 'elixirscope/valueHistory': {
        const entries = this.history(String(args && args.name));
        let cur = -1;
        entries.forEach((e, i) => { if (e.seq <= this.seq) cur = i; });
        response.body = { name: String(args && args.name), entries: entries.map((e, i) => ({ ...e, current: i === cur })) };
        return this.sendResponse(response);
      }
      case 'elixirscope/origin': {
        // protocol OriginResponse: the write that produced the value now, and its inputs
        const name = String((args && args.name) || '');
        const at = args && typeof args.seq === 'number' ? args.seq : this.seq;
        const h = this.history(name).filter((e) => e.seq <= at);
        const w = h[h.length - 1];
        if (!w) return this.sendErrorResponse(response, 1003, `${name} has no recorded value at this time`);
        const inputs = [];
        if (name === 'sum' && w.line === 4) {
          const p = this.history('p').filter((e) => e.seq < w.seq).pop();
          const prev = h[h.length - 2];
          if (prev) inputs.push({ name: 'sum', frame: 1, seq: prev.seq, line: prev.line, value: prev.value, kind: 'variable' });
          if (p) inputs.push({ name: 'p', frame: 1, seq: p.seq, line: p.line, value: p.value, kind: 'variable' });
        }
        response.body = {
          name, seq: w.seq, frame: 1, file: w.file, line: w.line, column: 1, value: w.value,
          via: w.line === 2 ? 'declaration' : 'assignment', statement: w.line === 2 ? 'let sum = 0;' : w.line === 4 ? 'sum = sum + p;' : `${name} = …`, inputs,
        };
        return this.sendResponse(response);
      }
      case 'elixirscope/timeline': {
        const from = Math.max(0, (args && args.from) || 0);
        const to = Math.min(TRACE.length, (args && args.to) || TRACE.length);
        const buckets = [];
        for (let s = from; s < to; s++) {
          const counts = { step: 1 };
          if (s === 2) counts.call = 1;
          if (s === 10) counts.return = 1;
          if (s === LAST) counts.output = 1;
          buckets.push({ from: s, to: s + 1, counts, fromMs: s * 0.25, toMs: s * 0.25 }); // a scripted clock: 0.25 ms per event
        }
        response.body = { from, to, buckets, position: this.seq, total: TRACE.length, functions: [{ name: 'total', file: this.program, line: 1, calls: 1 }] };
        return this.sendResponse(response);
      }
      default:
        return this.sendErrorResponse(response, 1014, `unrecognized request ${command}`);
    }
  }

  disconnectRequest(response) {
    log({ request: 'disconnect' });
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }
}

DebugSession.run(FakeSession);
