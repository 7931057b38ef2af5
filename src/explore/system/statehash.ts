import { combineInto, fingerprintInto, hashNode, type HashNode } from '../../core/fingerprint.js';
import type { GState, TState } from './system.js';

/**
 * Incremental state fingerprints. A state's hash is combined from the hash of its shared state
 * and one hash per thread (pc, locals), cached on the System-owned GState/TState objects: a step
 * builds one new TState (hashed once, here) and shares the others, and keeps the parent's
 * shared-state hash when it did not replace the shared state. So hashing a successor costs one
 * thread's locals plus, only if the step wrote, the objects of the shared state that the step
 * replaced: the shared state's hash is a HashNode (fingerprint.ts), computed against the
 * parent's node, whose unchanged children it reuses.
 */
export const H1: unique symbol = Symbol('h1');
export const H2: unique symbol = Symbol('h2');
/** The HashNode of `s`, computed on first use. */
export const SN: unique symbol = Symbol('sn');
/** Until SN is computed: a node of an earlier shared state (the parent's) to compute it against. */
export const SR: unique symbol = Symbol('sr');
/**
 * Under symmetry: the hash lanes of `permute(s, to)` for the last non-identity permutation the
 * canonicaliser used with this shared state `s` (PK: its numeric key, -1: none). A step that
 * keeps `s` keeps them too, so the renamed copy is built and hashed once along a run of
 * non-writing steps that keep the same canonical order (canon.ts).
 */
export const PK: unique symbol = Symbol('pk');
export const PH1: unique symbol = Symbol('ph1');
export const PH2: unique symbol = Symbol('ph2');

const one: unknown[] = [undefined, undefined];
const lane = new Uint32Array(2);

/** A thread state with its hash. */
export function tstate(pc: number, l: unknown): TState {
  one[0] = pc;
  one[1] = l;
  fingerprintInto(lane, one);
  return { pc, l, [H1]: lane[0], [H2]: lane[1] };
}

function threadHash(ts: TState): void {
  if (ts[H1] !== undefined) return;
  one[0] = ts.pc;
  one[1] = ts.l;
  fingerprintInto(lane, one);
  ts[H1] = lane[0];
  ts[H2] = lane[1];
}

/** The hash node of g's shared state, computed against its reference node on first use. */
export function sharedNode(g: GState): HashNode {
  let n = g[SN];
  if (n === undefined) {
    n = hashNode(g.s, g[SR]);
    g[SN] = n;
    g[SR] = undefined;
  }
  return n;
}

/** Make sure g's shared-state and thread hashes are computed (states built outside System). */
export function ensureHashes(g: GState): void {
  sharedNode(g);
  for (let t = 0; t < g.t.length; t++) threadHash(g.t[t]);
}

/** Scratch per-thread lanes for `combine`. */
export class ThreadLanes {
  readonly h1: Float64Array;
  readonly h2: Float64Array;
  constructor(readonly n: number) {
    this.h1 = new Float64Array(n);
    this.h2 = new Float64Array(n);
  }

  load(g: GState): this {
    for (let t = 0; t < this.n; t++) {
      this.h1[t] = g.t[t][H1]!;
      this.h2[t] = g.t[t][H2]!;
    }
    return this;
  }
}

/** The fingerprint of g, or of g with threads reordered (`from[c]` in slot c) and shared hash s1/s2. */
export function stateFingerprint(
  out: Uint32Array,
  g: GState,
  lanes: ThreadLanes,
  from?: ArrayLike<number>,
  s1 = g[SN]!.h1,
  s2 = g[SN]!.h2,
): Uint32Array {
  lanes.load(g);
  combineInto(out, s1, s2, lanes.h1, lanes.h2, lanes.n, from);
  return out;
}
