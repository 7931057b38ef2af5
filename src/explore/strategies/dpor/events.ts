import { mul } from '../../../core/fingerprint.js';
import { HashIndex } from '../../store/hashindex.js';
import { permuteMask } from '../../../core/symmetry.js';
import type { Footprint } from '../../system/system.js';

/**
 * Events (a thread and the footprint of one of its steps) and summaries (sets of events, the
 * next steps met anywhere below a state), both interned to small integers. A state's summary
 * lets a revisit replay the races its subtree would have found against the current stack.
 * Footprints are interned too (footprint ids), and a summary is one thread mask per footprint
 * id: the search grows a frame's summary in place (a bitwise or, renaming threads by permuting
 * each mask) and interns it, with the state's sleep set as its head, only when a state stores it.
 */
export class EventTable {
  /** Numeric hash of a footprint → the ids of the footprints with that hash. */
  private readonly index = new HashIndex();
  readonly thread: number[] = [];
  readonly foot: Footprint[] = [];
  /** Per event: its footprint's id. */
  readonly footId: number[] = [];
  /** Per footprint id: the footprint. */
  readonly footprints: Footprint[] = [];
  /** (footprint id, thread) → the event (-1: not yet). */
  private readonly byPair: number[] = [];

  intern(tid: number, f: Footprint): number {
    const fid = this.footprintId(f);
    const key = fid * 32 + tid;
    let id = this.byPair[key];
    if (id === undefined || id < 0) {
      id = this.thread.length;
      this.thread.push(tid);
      this.foot.push(this.footprints[fid]);
      this.footId.push(fid);
      while (this.byPair.length <= key) this.byPair.push(-1);
      this.byPair[key] = id;
    }
    return id;
  }

  /** Event e's footprint with thread t: `intern(t, foot[e])`. */
  withThread(e: number, t: number): number {
    return this.intern(t, this.foot[e]);
  }

  private footprintId(f: Footprint): number {
    let h = 1;
    for (let i = 0; i < f.length; i++) h = (mul(h, 31) + f[i]) | 0;
    const index = this.index;
    for (let slot = index.start(h); ; slot = index.next(slot)) {
      const id = index.idAt(slot, h);
      if (id === -1) break;
      if (id >= 0 && sameFootprint(this.footprints[id], f)) return id;
    }
    const id = this.footprints.length;
    index.insert(h, id);
    this.footprints.push(f);
    return id;
  }
}

function sameFootprint(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy of `a` with room for at least n entries (doubling). */
function grown(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Summaries interned: a summary is a head word (the search stores a state's sleep set there)
 * then, from MASKS on, thread masks indexed by footprint id (bit t of entry MASKS + f: the event
 * (t, footprint f) is in the set), without trailing zeros. Set `id` is `pool[start(id) ..
 * end(id))`: one flat array, no object per set (a search stores about one set per state).
 */
export class SummaryTable {
  /** Numeric hash of a set → the ids of the sets with that hash. */
  private readonly ids = new HashIndex();
  /** The sets, back to back (the array is replaced when it grows: read it after interning). */
  pool: Int32Array = new Int32Array(1024);
  /** Set i is pool[starts[i] .. starts[i + 1]). */
  private starts: Int32Array = new Int32Array(256);
  size = 0;
  private buf = new Int32Array(64);
  /** Where the masks start in a set's array. */
  static readonly MASKS = 1;

  constructor(private readonly events: EventTable) {}

  /** The set of the given event ids (negative ids are skipped), with a head word. */
  of(events: readonly number[], head = 0): number {
    const ev = this.events;
    const buf = this.scratch(SummaryTable.MASKS + ev.footprints.length);
    buf[0] = head;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e >= 0) buf[SummaryTable.MASKS + ev.footId[e]] |= 1 << ev.thread[e];
    }
    return this.internSet(buf, SummaryTable.MASKS + ev.footprints.length);
  }

  /**
   * The id of a set with a head word, given as masks by footprint id (`vec`, any length), with
   * threads renamed by `map` (null: none).
   */
  intern(head: number, vec: Int32Array, map: Int32Array | null): number {
    const out = this.scratch(SummaryTable.MASKS + vec.length);
    out[0] = head;
    for (let f = 0; f < vec.length; f++)
      out[SummaryTable.MASKS + f] = vec[f] === 0 || map === null ? vec[f] : permuteMask(vec[f], map);
    return this.internSet(out, SummaryTable.MASKS + vec.length);
  }

  head(set: number): number {
    return this.pool[this.starts[set]];
  }

  start(set: number): number {
    return this.starts[set];
  }

  end(set: number): number {
    return this.starts[set + 1];
  }

  /** The masks of a set (a copy). */
  masks(set: number): Int32Array {
    return this.pool.slice(this.start(set) + SummaryTable.MASKS, this.end(set));
  }

  /** The event ids of a set, ascending by footprint id then thread. */
  eventsOf(set: number): number[] {
    const s = this.masks(set);
    const out: number[] = [];
    for (let f = 0; f < s.length; f++)
      for (let m = s[f]; m !== 0; m &= m - 1)
        out.push(this.events.intern(31 - Math.clz32(m & -m), this.events.footprints[f]));
    return out;
  }

  /** Bytes held by the sets and their index. */
  bytes(): number {
    return this.pool.byteLength + this.starts.byteLength + this.ids.bytes();
  }

  /** A zeroed scratch buffer of at least n entries. */
  private scratch(n: number): Int32Array {
    if (this.buf.length < n) this.buf = new Int32Array(n * 2);
    else this.buf.fill(0, 0, n);
    return this.buf;
  }

  /** Intern the first `n` entries of `s` (trailing zero masks dropped); stores a copy (`s` may be a scratch buffer). */
  private internSet(s: Int32Array, n: number): number {
    while (n > SummaryTable.MASKS && s[n - 1] === 0) n--;
    let h = n;
    for (let i = 0; i < n; i++) h = (mul(h, 31) + s[i]) | 0;
    const index = this.ids;
    for (let slot = index.start(h); ; slot = index.next(slot)) {
      const id = index.idAt(slot, h);
      if (id === -1) break;
      if (id >= 0 && this.same(id, s, n)) return id;
    }
    const id = this.size++;
    index.insert(h, id);
    if (this.starts.length < id + 2) this.starts = grown(this.starts, id + 2);
    const at = this.starts[id];
    if (this.pool.length < at + n) this.pool = grown(this.pool, at + n);
    this.pool.set(s.subarray(0, n), at);
    this.starts[id + 1] = at + n;
    return id;
  }

  /** Set id is the first n entries of s. */
  private same(id: number, s: Int32Array, n: number): boolean {
    const at = this.starts[id];
    if (this.starts[id + 1] - at !== n) return false;
    const pool = this.pool;
    for (let i = 0; i < n; i++) if (pool[at + i] !== s[i]) return false;
    return true;
  }
}
