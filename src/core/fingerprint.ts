/**
 * 64-bit state fingerprints (two independent 32-bit lanes) over JSON-like immutable values.
 * Strings are interned to small integers once, so hashing a state never re-reads its text.
 * Object keys are hashed in insertion order: give state objects a fixed shape (immer keeps it).
 * The explorer stores only fingerprints (hash compaction, as SPIN's -DHC): the chance that two
 * of n distinct states collide is about n²/2^65, reported in the statistics.
 */
let h1 = 0;
let h2 = 0;
const strings = new Map<string, number>();

/**
 * 32-bit multiply by a constant without Math.imul: inside jest's VM sandbox Math.imul is about
 * 100x slower (≈160 ns a call), and this plain double arithmetic is as fast everywhere.
 */
function mulPortable(a: number, c: number): number {
  return ((a & 0xffff) * c + ((((a >>> 16) * c) & 0xffff) << 16)) | 0;
}

/**
 * 32-bit multiply (the low 32 bits, as Math.imul). Outside jest it is Math.imul, one machine
 * instruction; under jest (which sets JEST_WORKER_ID in every worker, in-band too) the portable
 * form. Both give the same result for every input (test/core/pure.test.ts), so fingerprints
 * do not depend on where they are computed.
 */
export const mul: (a: number, c: number) => number =
  typeof process !== 'undefined' && process.env.JEST_WORKER_ID !== undefined ? mulPortable : Math.imul;

/** The portable multiply, exported for the equivalence test. */
export { mulPortable };

function feed(k: number): void {
  k = mul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = mul(k, 0x1b873593);
  h1 ^= k;
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (mul(h1, 5) + 0xe6546b64) | 0;
  h2 = (h2 + mul(k ^ (k >>> 16), 0x85ebca6b)) | 0;
  h2 = mul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
}

function stringId(s: string): number {
  let id = strings.get(s);
  if (id === undefined) {
    id = strings.size + 1;
    strings.set(s, id);
  }
  return id;
}

function feedValue(v: unknown): void {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v) {
        feed(1);
        feed(v);
      } else {
        feed(2);
        feed(stringId(String(v)));
      }
      return;
    case 'string':
      feed(3);
      feed(stringId(v));
      return;
    case 'boolean':
      feed(v ? 4 : 5);
      return;
    case 'undefined':
      feed(7);
      return;
    case 'object':
      if (v === null) feed(6);
      else if (Array.isArray(v)) {
        if (v.length >= CACHE_MIN) feedCached(v);
        else {
          feed(8);
          feed(v.length);
          for (let i = 0; i < v.length; i++) feedValue(v[i]);
        }
      } else {
        feed(9);
        const o = v as Record<string, unknown>;
        for (const key in o) {
          feed(stringId(key));
          feedValue(o[key]);
        }
        feed(10);
      }
      return;
    default:
      feed(11);
      feed(stringId(String(v)));
  }
}

/**
 * Large arrays (a 128-slot table) are hashed once per identity: immutable updates share the
 * unchanged ones between successive states, so only the arrays a step replaced are re-read.
 */
const CACHE_MIN = 16;
const subHashes = new WeakMap<object, readonly [number, number]>();

function feedCached(v: readonly unknown[]): void {
  let sub = subHashes.get(v);
  if (sub === undefined) {
    const s1 = h1;
    const s2 = h2;
    h1 = 0x2545f491;
    h2 = 0x61c88647;
    feed(8);
    feed(v.length);
    for (let i = 0; i < v.length; i++) feedValue(v[i]);
    sub = [fmix(h1), fmix(h2)];
    subHashes.set(v, sub);
    h1 = s1;
    h2 = s2;
  }
  feed(12);
  feed(sub[0]);
  feed(sub[1]);
}

export function fmix(h: number): number {
  h ^= h >>> 16;
  h = mul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = mul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fingerprint a sequence of values into `out[0]`, `out[1]`. */
export function fingerprintInto(out: Uint32Array, values: readonly unknown[]): void {
  h1 = 0x9747b28c;
  h2 = 0x5bd1e995;
  for (let i = 0; i < values.length; i++) feedValue(values[i]);
  out[0] = fmix(h1);
  out[1] = fmix(h2 ^ 0x27d4eb2f);
}

/**
 * Fingerprint of a global state from its parts' hashes: the shared state's two lanes and, per
 * thread slot c, the two lanes of that slot's (pc, locals). Slots are mixed with their position
 * and summed, so a step that changes one thread re-hashes only that thread (and the shared state
 * if it changed), and a permutation of threads only re-sums. `from[c]` is the thread in slot c
 * (identity when omitted).
 */
export function combineInto(
  out: Uint32Array,
  s1: number,
  s2: number,
  h1: ArrayLike<number>,
  h2: ArrayLike<number>,
  n: number,
  from?: ArrayLike<number>,
): void {
  let a = s1 | 0;
  let b = s2 | 0;
  for (let c = 0; c < n; c++) {
    const t = from === undefined ? c : from[c];
    a = (a + fmix((h1[t] ^ mul(c + 1, 0x9e3779b1)) | 0)) | 0;
    b = (b + fmix((h2[t] + mul(c + 1, 0x85ebca6b)) ^ 0x27d4eb2f)) | 0;
  }
  out[0] = fmix(a ^ 0x3c6ef372);
  out[1] = fmix(b ^ 0xa54ff53a);
}

/** Canonical text of a value (sorted keys): for tests and reports, not for the hot path. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, (x as Record<string, unknown>)[k]]),
        )
      : x,
  );
}

/**
 * A value's hash with the nodes of its object children (in key order), so that hashing a value
 * that shares children with an earlier one — an immutable update — re-reads only the objects the
 * update replaced: a child identical (===) to the reference's child at the same position keeps
 * its node. Primitives are hashed inline. Used for shared states (statehash.ts), whose successive
 * versions share most of their objects.
 */
export interface HashNode {
  readonly v: unknown;
  readonly h1: number;
  readonly h2: number;
  /** Nodes of the object-valued children, in key order. */
  readonly kids: readonly HashNode[];
}

const NO_KIDS: readonly HashNode[] = [];

/** The node of `v`, reusing `ref`'s nodes for the children `v` shares with `ref.v`. */
export function hashNode(v: unknown, ref?: HashNode): HashNode {
  if (ref !== undefined && ref.v === v) return ref;
  const s1 = h1;
  const s2 = h2;
  h1 = 0x2545f491;
  h2 = 0x61c88647;
  let kids = NO_KIDS;
  if (typeof v !== 'object' || v === null) feedValue(v);
  else {
    const out: HashNode[] = [];
    const old = ref === undefined ? NO_KIDS : ref.kids;
    if (Array.isArray(v)) {
      feed(8);
      feed(v.length);
      for (let i = 0; i < v.length; i++) feedChild(v[i], out, old);
    } else {
      feed(9);
      const o = v as Record<string, unknown>;
      for (const key in o) {
        feed(stringId(key));
        feedChild(o[key], out, old);
      }
      feed(10);
    }
    if (out.length > 0) kids = out;
  }
  const node = { v, h1: fmix(h1), h2: fmix(h2), kids };
  h1 = s1;
  h2 = s2;
  return node;
}

function feedChild(c: unknown, out: HashNode[], old: readonly HashNode[]): void {
  if (typeof c !== 'object' || c === null) {
    feedValue(c);
    return;
  }
  const n = hashNode(c, out.length < old.length ? old[out.length] : undefined);
  out.push(n);
  feed(12);
  feed(n.h1);
  feed(n.h2);
}
