import { mul } from '../core/fingerprint.js';
import type { Footprint } from './system.js';

/**
 * Events (a thread and the footprint of one of its steps) and summaries (sets of events, the
 * next steps met anywhere below a state), both interned to small integers. A state's summary
 * lets a revisit replay the races its subtree would have found against the current stack.
 */
export class EventTable {
  /** Numeric hash of (thread, footprint) → the ids of the events with that hash. */
  private readonly buckets = new Map<number, number[]>();
  readonly thread: number[] = [];
  readonly foot: Footprint[] = [];

  intern(tid: number, f: Footprint): number {
    let h = tid + 1;
    for (let i = 0; i < f.length; i++) h = (mul(h, 31) + f[i]) | 0;
    let bucket = this.buckets.get(h);
    if (bucket === undefined) this.buckets.set(h, (bucket = []));
    for (const id of bucket) if (this.thread[id] === tid && sameFootprint(this.foot[id], f)) return id;
    const id = this.thread.length;
    bucket.push(id);
    this.thread.push(tid);
    this.foot.push(f);
    return id;
  }
}

function sameFootprint(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function samePrefix(a: Int32Array, b: Int32Array, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SummaryTable {
  /** Numeric hash of a set → the ids of the sets with that hash. */
  private readonly ids = new Map<number, number[]>();
  readonly sets: Int32Array[] = [];
  private readonly unions = new Map<number, number>();
  private readonly renamed = new Map<number, number>();
  static readonly EMPTY = 0;

  constructor() {
    this.internSet(new Int32Array(0));
  }

  /** The set of the given event ids (negative ids are skipped). */
  of(events: readonly number[]): number {
    // Sorted, without duplicates or negatives, into a scratch buffer; allocate only a new set.
    let buf = this.scratch;
    if (buf.length < events.length) buf = this.scratch = new Int32Array(events.length * 2);
    let n = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e < 0) continue;
      let x = n;
      while (x > 0 && buf[x - 1] > e) {
        buf[x] = buf[x - 1];
        x--;
      }
      if (x > 0 && buf[x - 1] === e) {
        for (let y = x; y < n; y++) buf[y] = buf[y + 1];
        continue;
      }
      buf[x] = e;
      n++;
    }
    return this.internSet(buf, n);
  }

  private scratch = new Int32Array(64);

  union(a: number, b: number): number {
    if (a === b || b === 0) return a;
    if (a === 0) return b;
    if (a > b) [a, b] = [b, a];
    const key = a * 67108864 + b;
    let id = this.unions.get(key);
    if (id === undefined) {
      id = this.merge(a, b);
      this.unions.set(key, id);
    }
    return id;
  }

  /**
   * The set with every event's thread renamed by `map` (footprints unchanged), cached per
   * (set, mapId); `mapId` must name `map` uniquely.
   */
  rename(set: number, mapId: number, map: Int32Array, events: EventTable): number {
    if (set === 0) return 0;
    // Cached by (set, mapId) while the key stays exact (mapId below 2^22, set below 2^31).
    const key = mapId < 4194304 ? set * 4194304 + mapId : -1;
    let id = key < 0 ? undefined : this.renamed.get(key);
    if (id === undefined) {
      const src = this.sets[set];
      const out: number[] = new Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = events.intern(map[events.thread[src[i]]], events.foot[src[i]]);
      id = this.of(out);
      if (key >= 0) this.renamed.set(key, id);
    }
    return id;
  }

  private merge(a: number, b: number): number {
    const x = this.sets[a];
    const y = this.sets[b];
    const out = new Int32Array(x.length + y.length);
    let i = 0, j = 0, n = 0;
    while (i < x.length && j < y.length) {
      if (x[i] < y[j]) out[n++] = x[i++];
      else if (x[i] > y[j]) out[n++] = y[j++];
      else (out[n++] = x[i++]), j++;
    }
    while (i < x.length) out[n++] = x[i++];
    while (j < y.length) out[n++] = y[j++];
    if (n === x.length) return a;
    if (n === y.length) return b;
    return this.internSet(out.slice(0, n));
  }

  /** Intern the first `n` entries of `s` (all of it by default); copies `s` when it is a prefix. */
  private internSet(s: Int32Array, n = s.length): number {
    let h = n;
    for (let i = 0; i < n; i++) h = (mul(h, 31) + s[i]) | 0;
    let bucket = this.ids.get(h);
    if (bucket === undefined) this.ids.set(h, (bucket = []));
    for (let b = 0; b < bucket.length; b++) if (samePrefix(this.sets[bucket[b]], s, n)) return bucket[b];
    const id = this.sets.length;
    bucket.push(id);
    this.sets.push(n === s.length ? s : s.slice(0, n));
    return id;
  }
}
