import type { DebugProtocol } from '@vscode/debugprotocol';
import type { RecordedValue } from '../../protocol/values';
import { childrenOf, isExpandable, renderValue } from '../engine/render';
import type { Local } from '../engine/state';

/** `thread`: the session's thread slot whose stream the frame belongs to. */
type Handle = { kind: 'locals'; frame: number; seq: number; thread: number } | { kind: 'value'; value: RecordedValue };

/** Variable references for the current stop only (the DAP rule: they die when execution moves). */
export class VariableHandles {
  private handles: Handle[] = [];

  reset(): void { this.handles = []; }

  forLocals(frame: number, seq: number, thread: number): number { return this.add({ kind: 'locals', frame, seq, thread }); }

  get(ref: number): Handle | undefined { return this.handles[ref - 1]; }

  toVariable(name: string, value: RecordedValue, hex = false): DebugProtocol.Variable {
    return {
      name,
      value: hex && typeof value === 'number' && Number.isInteger(value) ? `0x${value.toString(16)}` : renderValue(value),
      variablesReference: isExpandable(value) ? this.add({ kind: 'value', value }) : 0,
    };
  }

  localsToVariables(locals: Local[], hex = false): DebugProtocol.Variable[] {
    return locals.map((l) => this.toVariable(l.name, l.value, hex));
  }

  childrenToVariables(value: RecordedValue, hex = false): DebugProtocol.Variable[] {
    return childrenOf(value).map((c) => this.toVariable(c.name, c.value, hex));
  }

  private add(handle: Handle): number { this.handles.push(handle); return this.handles.length; }
}
