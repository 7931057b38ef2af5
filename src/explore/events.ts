import { mul } from '../core/fingerprint.js';
import { HashIndex } from './hashindex.js';
import { PairMap } from './pairmap.js';
import type { Footprint } from './system.js';

/**
 * Events (a thread and the footprint of one of its steps) and summaries (sets of events, the
 * next steps met anywhere below a state), both interned to small integers. A state's summary
 * lets a revisit replay the races its subtree would have found against the current stack.
 */
export class EventTable {
  /** Numeric hash of (thread, footprint) → the ids of the events with that hash. */
  private readonly index = new HashIndex();
  readonly thread: number[] = [];
  readonly foot: Footprint[] = [];
  /** (event, thread) → the event with that event's footprint and the thread (-1: not yet). */
  private readonly alias: number[] = [];

  intern(tid: number, f: Footprint): number {
    let h = tid + 1;
    for (let i = 0; i < f.length; i++) h = (mul(h, 31) + f[i]) | 0;
    const index = this.index;
    for (let slot = index.start(h); ; slot = index.next(slot)) {
      const id = index.idAt(slot, h);
      if (id === -1) break;
      if (id >= 0 && this.thread[id] === tid && sameFootprint(this.foot[id], f)) return id;
    }
    const id = this.thread.length;
    index.insert(h, id);
    this.thread.push(tid);
    this.foot.push(f);
    return id;
  }

  /** Event e's footprint with thread t: `intern(t, foot[e])`, cached per (e, t). */
  withThread(e: number, t: number): number {
    const key = e * 32 + t;
    let id = this.alias[key];
    if (id === undefined || id < 0) {
      id = this.intern(t, this.foot[e]);
      while (this.alias.length <= key) this.alias.push(-1);
      this.alias[key] = id;
    }
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
  private readonly ids = new HashIndex();
  readonly sets: Int32Array[] = [];
  private readonly unions = new PairMap();
  private readonly renamed = new PairMap();
  static readonly EMPTY = 0;

  constructor() {
    this.internSet(new Int32Array(0));
  }

  /** The set of the given event ids (negative ids are skipped). */
  of(events: readonly number[]): number {
    // Sorted, without duplicates or negatives, into a scratch buffer; allocate only a new set.
    const len = events.length;
    if (len > 16) {
      let buf = this.renameBuf;
      if (buf.length < len) buf = this.renameBuf = new Int32Array(len * 2);
      for (let i = 0; i < len; i++) buf[i] = events[i];
      return this.ofSorting(buf, len);
    }
    const buf = this.scratch;
    let n = 0;
    for (let i = 0; i < len; i++) {
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

  /** The set of the first `len` ids in `buf` (a scratch buffer, reordered here). */
  private ofSorting(buf: Int32Array, len: number): number {
    // Typed-array sort, then drop negatives and duplicates in place.
    buf.subarray(0, len).sort();
    let n = 0;
    for (let i = 0; i < len; i++) {
      const e = buf[i];
      if (e < 0 || (n > 0 && buf[n - 1] === e)) continue;
      buf[n++] = e;
    }
    return this.internSet(buf, n);
  }

  private scratch = new Int32Array(64);
  private renameBuf = new Int32Array(64);
  private mergeBuf = new Int32Array(64);

  union(a: number, b: number): number {
    if (a === b || b === 0) return a;
    if (a === 0) return b;
    if (a > b) [a, b] = [b, a];
    let id = this.unions.get(a, b);
    if (id < 0) {
      id = this.merge(a, b);
      this.unions.set(a, b, id);
    }
    return id;
  }

  /**
   * The set with every event's thread renamed by `map` (footprints unchanged), cached per
   * (set, mapId); `mapId` must name `map` uniquely, and `inverseId` (if given) its inverse, so
   * that renaming the result back is cached too.
   */
  rename(set: number, mapId: number, map: Int32Array, events: EventTable, inverseId = -1): number {
    if (set === 0) return 0;
    let id = this.renamed.get(set, mapId);
    if (id < 0) {
      const src = this.sets[set];
      let out = this.renameBuf;
      if (out.length < src.length) out = this.renameBuf = new Int32Array(src.length * 2);
      for (let i = 0; i < src.length; i++) out[i] = events.withThread(src[i], map[events.thread[src[i]]]);
      id = this.ofSorting(out, src.length);
      this.renamed.set(set, mapId, id);
      if (inverseId >= 0) this.renamed.set(id, inverseId, set);
    }
    return id;
  }

  private merge(a: number, b: number): number {
    const x = this.sets[a];
    const y = this.sets[b];
    if (this.mergeBuf.length < x.length + y.length) this.mergeBuf = new Int32Array((x.length + y.length) * 2);
    const out = this.mergeBuf;
    let i = 0,
      j = 0,
      n = 0;
    while (i < x.length && j < y.length) {
      if (x[i] < y[j]) out[n++] = x[i++];
      else if (x[i] > y[j]) out[n++] = y[j++];
      else {
        out[n++] = x[i++];
        j++;
      }
    }
    while (i < x.length) out[n++] = x[i++];
    while (j < y.length) out[n++] = y[j++];
    if (n === x.length) return a;
    if (n === y.length) return b;
    return this.internSet(out, n);
  }

  /** Intern the first `n` entries of `s` (all of it by default); stores a copy (`s` may be a scratch buffer). */
  private internSet(s: Int32Array, n = s.length): number {
    let h = n;
    for (let i = 0; i < n; i++) h = (mul(h, 31) + s[i]) | 0;
    const index = this.ids;
    for (let slot = index.start(h); ; slot = index.next(slot)) {
      const id = index.idAt(slot, h);
      if (id === -1) break;
      if (id >= 0 && samePrefix(this.sets[id], s, n)) return id;
    }
    const id = this.sets.length;
    index.insert(h, id);
    this.sets.push(s.slice(0, n));
    return id;
  }
}
