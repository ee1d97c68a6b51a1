/**
 * Watches the DAP traffic of elixirscope sessions (DebugAdapterTracker) and turns it into the few
 * facts the UI needs: is the session stopped, which frame is on top, when to refresh.
 * Status bar, hover and timeline subscribe to these events instead of polling the adapter.
 */
import * as vscode from 'vscode';
import { DEBUG_TYPE } from './settings';

export interface SessionState {
  session: vscode.DebugSession;
  stopped: boolean;
  /** Id of the top stack frame reported by the last stackTrace response while stopped. */
  topFrameId?: number;
  /** Capabilities from the initialize response. */
  capabilities: Record<string, unknown>;
}

interface DapMessage {
  type?: string; event?: string; command?: string; success?: boolean;
  body?: { stackFrames?: { id: number }[]; [k: string]: unknown };
}

export class DebugTracker implements vscode.Disposable {
  private readonly states = new Map<string, SessionState>();
  private readonly stopEmitter = new vscode.EventEmitter<SessionState>();
  private readonly changeEmitter = new vscode.EventEmitter<SessionState | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fired after each `stopped` event (also the ones that follow a seek). */
  readonly onDidStop = this.stopEmitter.event;
  /** Fired on any state change (start, stop, continue, end) and when the active session changes. */
  readonly onDidChange = this.changeEmitter.event;

  constructor() {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, { createDebugAdapterTracker: (s) => this.track(s) }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (this.states.delete(s.id)) this.changeEmitter.fire(undefined);
      }),
      vscode.debug.onDidChangeActiveDebugSession(() => this.changeEmitter.fire(this.active())),
      this.stopEmitter, this.changeEmitter,
    );
  }

  /** The state of the active debug session if it is an elixirscope one. */
  active(): SessionState | undefined {
    const s = vscode.debug.activeDebugSession;
    return s && s.type === DEBUG_TYPE ? this.states.get(s.id) : undefined;
  }

  /** The active elixirscope session, or any elixirscope session if the active one is another type. */
  session(): vscode.DebugSession | undefined {
    return this.active()?.session ?? [...this.states.values()].at(-1)?.session;
  }

  private track(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const state: SessionState = { session, stopped: false, capabilities: {} };
    this.states.set(session.id, state);
    this.changeEmitter.fire(state);
    return {
      onDidSendMessage: (m: DapMessage) => {
        if (m.type === 'event') {
          if (m.event === 'stopped') {
            state.stopped = true;
            state.topFrameId = undefined;
            this.stopEmitter.fire(state);
            this.changeEmitter.fire(state);
          } else if (m.event === 'continued') {
            state.stopped = false;
            this.changeEmitter.fire(state);
          } else if (m.event === 'capabilities' && m.body && typeof m.body.capabilities === 'object') {
            Object.assign(state.capabilities, m.body.capabilities);
          }
        } else if (m.type === 'response' && m.success) {
          if (m.command === 'initialize' && m.body) Object.assign(state.capabilities, m.body);
          else if (m.command === 'stackTrace' && m.body?.stackFrames?.length && state.topFrameId === undefined) state.topFrameId = m.body.stackFrames[0].id;
          else if (m.command === 'continue' || m.command === 'next' || m.command === 'stepIn' || m.command === 'stepOut'
            || m.command === 'stepBack' || m.command === 'reverseContinue') {
            state.stopped = false;
            this.changeEmitter.fire(state);
          }
        }
      },
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.states.clear();
  }
}
