/**
 * The breakpoint spec area of a live recording, shared by the drain worker (writer: it receives
 * BREAKPOINTS from the adapter) and the program's thread (reader: it turns the spec into its
 * private per-site flags). A seqlock generation makes torn reads detectable.
 */
import { SPEC_BYTES, SPEC_HEADER_BYTES, type LiveBreakpoints } from './wire';

const GEN = 0, LEN = 1;
const NO_STOPS: LiveBreakpoints = { sites: {} };
// Captured at load: the program's thread must not call anything the program may have replaced.
const jsonParse = JSON.parse;
const decodeUtf8 = Function.prototype.call.bind(TextDecoder.prototype.decode) as (d: InstanceType<typeof TextDecoder>, b: Uint8Array) => string;
const decoder = new TextDecoder();

export function writeSpec(area: SharedArrayBuffer, json: string): boolean {
  const head = new Int32Array(area, 0, 2);
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.length > SPEC_BYTES) return false;
  Atomics.add(head, GEN, 1); // odd: being written
  new Uint8Array(area, SPEC_HEADER_BYTES, bytes.length).set(bytes);
  Atomics.store(head, LEN, bytes.length);
  Atomics.add(head, GEN, 1);
  return true;
}

/** The spec's JSON text, or undefined while it is being rewritten (try again later). */
export function readSpecText(area: SharedArrayBuffer): string | undefined {
  const head = new Int32Array(area, 0, 2);
  const g1 = Atomics.load(head, GEN);
  if ((g1 & 1) !== 0) return undefined;
  const len = Atomics.load(head, LEN);
  const copy = new Uint8Array(len);
  copy.set(new Uint8Array(area, SPEC_HEADER_BYTES, len));
  if (Atomics.load(head, GEN) !== g1) return undefined;
  return decodeUtf8(decoder, copy);
}

/** The spec, or undefined while it is being rewritten (try again later). */
export function readSpec(area: SharedArrayBuffer): LiveBreakpoints | undefined {
  const text = readSpecText(area);
  if (text === undefined) return undefined;
  try {
    const spec = jsonParse(text) as unknown;
    return spec && typeof spec === 'object' && (spec as LiveBreakpoints).sites && typeof (spec as LiveBreakpoints).sites === 'object' ? spec as LiveBreakpoints : NO_STOPS;
  } catch {
    return NO_STOPS;
  }
}
