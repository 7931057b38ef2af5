import type { Footprint } from './system.js';

/**
 * Events (a thread and the footprint of one of its steps) and summaries (sets of events, the
 * next steps met anywhere below a state), both interned to small integers. A state's summary
 * lets a revisit replay the races its subtree would have found against the current stack.
 */
export class EventTable {
  private readonly ids = new Map<string, number>();
  readonly thread: number[] = [];
  readonly foot: Footprint[] = [];

  intern(tid: number, f: Footprint): number {
    const key = `${tid}:${f.join(',')}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.thread.length;
      this.ids.set(key, id);
      this.thread.push(tid);
      this.foot.push(f);
    }
    return id;
  }
}

export class SummaryTable {
  private readonly ids = new Map<string, number>();
  readonly sets: Int32Array[] = [];
  private readonly unions = new Map<number, number>();
  private readonly singles: number[] = [];
  static readonly EMPTY = 0;

  constructor() {
    this.internSet(new Int32Array(0));
  }

  single(e: number): number {
    let id = this.singles[e];
    if (id === undefined) this.singles[e] = id = this.internSet(Int32Array.of(e));
    return id;
  }

  union(a: number, b: number): number {
    if (a === b || b === 0) return a;
    if (a === 0) return b;
    if (a > b) [a, b] = [b, a];
    const key = a * 67108864 + b;
    let id = this.unions.get(key);
    if (id === undefined) {
      id = this.merge(this.sets[a], this.sets[b]);
      this.unions.set(key, id);
    }
    return id;
  }

  private merge(x: Int32Array, y: Int32Array): number {
    const out = new Int32Array(x.length + y.length);
    let i = 0, j = 0, n = 0;
    while (i < x.length && j < y.length) {
      if (x[i] < y[j]) out[n++] = x[i++];
      else if (x[i] > y[j]) out[n++] = y[j++];
      else (out[n++] = x[i++]), j++;
    }
    while (i < x.length) out[n++] = x[i++];
    while (j < y.length) out[n++] = y[j++];
    if (n === x.length) return this.internSet(x);
    if (n === y.length) return this.internSet(y);
    return this.internSet(out.slice(0, n));
  }

  private internSet(s: Int32Array): number {
    const key = s.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.ids.set(key, id);
      this.sets.push(s);
    }
    return id;
  }
}
