import type { DebugProtocol } from '@vscode/debugprotocol';
import type { RecordedValue } from '../../protocol/values';
import { childrenOf, isExpandable, renderValue } from '../engine/render';
import type { Local } from '../engine/state';

/** `thread`: the session's slot of the thread whose stream the frame or value belongs to (ids are per stream). */
type Handle = { kind: 'locals'; frame: number; seq: number; thread: number } | { kind: 'value'; value: RecordedValue; thread: number };

/** Variable references for the current stop only (the DAP rule: they die when execution moves). */
export class VariableHandles {
  private handles: Handle[] = [];

  reset(): void { this.handles = []; }

  forLocals(frame: number, seq: number, thread: number): number { return this.add({ kind: 'locals', frame, seq, thread }); }

  get(ref: number): Handle | undefined { return this.handles[ref - 1]; }

  toVariable(name: string, value: RecordedValue, thread: number, hex = false): DebugProtocol.Variable {
    return {
      name,
      value: hex && typeof value === 'number' && Number.isInteger(value) ? `0x${value.toString(16)}` : renderValue(value),
      variablesReference: isExpandable(value) ? this.add({ kind: 'value', value, thread }) : 0,
    };
  }

  localsToVariables(locals: Local[], thread: number, hex = false): DebugProtocol.Variable[] {
    return locals.map((l) => this.toVariable(l.name, l.value, thread, hex));
  }

  childrenToVariables(value: RecordedValue, thread: number, hex = false): DebugProtocol.Variable[] {
    return childrenOf(value).map((c) => this.toVariable(c.name, c.value, thread, hex));
  }

  private add(handle: Handle): number { this.handles.push(handle); return this.handles.length; }
}
