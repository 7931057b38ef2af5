import { mul } from '../../../core/fingerprint.js';
import { HashIndex } from '../../store/hashindex.js';
import type { Footprint } from '../../system/transition.js';

/**
 * Summaries: the set of events (a thread and the footprint of one of its steps) met anywhere
 * below a state, kept in the form a replay asks of it (dpor.ts, replaySummary): for an access
 * code `acc` of the Footprint encoding (location * 2 + 1 if a write), entry `acc` is the
 * threads whose event conflicts with such an access — entry 2l the threads writing location l,
 * entry 2l + 1 the threads accessing it. Two event sets with the same entries race alike, so
 * they are one summary. A search grows a frame's summary in place (a bitwise or, renaming
 * threads by permuting each mask) and interns it, with the state's sleep set as its head word,
 * only when a state stores it.
 */

/** Add thread t's event with footprint F to the summary masks `vec` (long enough for F's codes). */
export function addEvent(vec: Int32Array, t: number, F: Footprint): void {
  const bit = 1 << t;
  for (let a = 0; a < F.length; a++) {
    const acc = F[a];
    vec[acc | 1] |= bit;
    if (acc & 1) vec[acc - 1] |= bit;
  }
}

/**
 * A renaming of thread ids (thread t becomes `to[t]`) as a table for bit sets: for nibble j of
 * a mask and its value v, entry 16j + v is the renamed bits. A search renames every mask of a
 * summary it stores or reads under symmetry; a lookup per nibble beats a loop per bit.
 */
export type Renaming = Int32Array;

export function renaming(to: ArrayLike<number>): Renaming {
  const nibbles = (to.length + 3) >> 2;
  const r = new Int32Array(16 * nibbles);
  for (let j = 0; j < nibbles; j++)
    for (let v = 1; v < 16; v++) {
      let out = 0;
      for (let b = 0; b < 4; b++) if (v & (1 << b) && 4 * j + b < to.length) out |= 1 << to[4 * j + b];
      r[16 * j + v] = out;
    }
  return r;
}

/** A bit set of thread ids renamed. */
export function renameMask(mask: number, r: Renaming): number {
  let out = 0;
  for (let j = 0; mask !== 0; j += 16, mask >>>= 4) out |= r[j + (mask & 15)];
  return out;
}

/** The summary pool holds no more sets: the search stops, incomplete (memory). */
export class SummaryPoolFull extends Error {
  constructor() {
    super('the DPOR summary pool is full');
  }
}

/** Sets start at a multiple of this many pool entries, so an id (start / ALIGN) below 2^30 reaches 2^32 entries. */
const ALIGN = 4;

/**
 * Summaries interned: a summary is a head word (the search stores a state's sleep set there),
 * its number of masks, then, from MASKS on, the thread masks indexed by access code (see above),
 * without trailing zeros. A set's id says where it starts in one flat array (`start(id)`, a
 * multiple of 4: the search keeps ids in 30 bits), `pool[start(id) .. end(id))`: no object per
 * set (a search stores about one set per state), and a revisit reads a stored set's head and
 * masks from one place, without a table of starts to look up first. Past `capacity` entries
 * (2^32, 16 GiB) interning throws SummaryPoolFull.
 */
export class SummaryTable {
  /** Numeric hash of a set → the ids of the sets with that hash. */
  private readonly ids = new HashIndex();
  /** The sets, back to back (the array is replaced when it grows: read it after interning). */
  pool: Int32Array = new Int32Array(1024);
  /** Entries of `pool` in use: where the next set starts. */
  private used = 0;
  size = 0;
  private buf = new Int32Array(64);
  /** Where the masks start in a set's array (after the head word and the number of masks). */
  static readonly MASKS = 2;

  constructor(private readonly capacity = 2 ** 32) {}

  /**
   * The id of a set with a head word, given as masks by access code (`vec`, any length; the
   * first `length` entries, the rest zero), with threads renamed by `map` (null: none).
   */
  intern(head: number, vec: Int32Array, map: Renaming | null, length = vec.length): number {
    let len = Math.min(length, vec.length);
    while (len > 0 && vec[len - 1] === 0) len--;
    const n = SummaryTable.MASKS + len;
    const out = this.scratch(n);
    out[0] = head;
    out[1] = len;
    let h = (mul(n, 31) + head) | 0;
    for (let f = 0; f < len; f++) {
      const m = vec[f] === 0 || map === null ? vec[f] : renameMask(vec[f], map);
      out[SummaryTable.MASKS + f] = m;
      h = (mul(h, 31) + m) | 0;
    }
    return this.internSet(out, n, h);
  }

  head(set: number): number {
    return this.pool[set * ALIGN];
  }

  start(set: number): number {
    return set * ALIGN;
  }

  end(set: number): number {
    return set * ALIGN + SummaryTable.MASKS + this.pool[set * ALIGN + 1];
  }

  /** The masks of a set (a copy). */
  masks(set: number): Int32Array {
    return this.pool.slice(this.start(set) + SummaryTable.MASKS, this.end(set));
  }

  /** Bytes held by the sets and their index. */
  bytes(): number {
    return this.pool.byteLength + this.ids.bytes();
  }

  /** A scratch buffer of at least n entries. */
  private scratch(n: number): Int32Array {
    if (this.buf.length < n) this.buf = new Int32Array(n * 2);
    return this.buf;
  }

  /** Intern the first `n` entries of `s` (no trailing zero mask), of hash h; stores a copy (`s` may be a scratch buffer). */
  private internSet(s: Int32Array, n: number, h: number): number {
    const index = this.ids;
    for (let slot = index.start(h); ; slot = index.next(slot)) {
      const id = index.idAt(slot, h);
      if (id === -1) break;
      if (id >= 0 && this.same(id, s, n)) return id;
    }
    const at = this.used;
    if (at + n > this.capacity) throw new SummaryPoolFull();
    const id = at / ALIGN;
    index.insert(h, id);
    if (this.pool.length < at + n) this.pool = this.grownPool(at + n);
    this.pool.set(s.subarray(0, n), at);
    this.used = at + Math.ceil(n / ALIGN) * ALIGN;
    this.size++;
    return id;
  }

  /** The pool with room for n entries (doubling, up to the capacity); SummaryPoolFull when it cannot be allocated. */
  private grownPool(n: number): Int32Array {
    try {
      const b = new Int32Array(Math.min(Math.max(n, this.pool.length * 2), this.capacity));
      b.set(this.pool);
      return b;
    } catch (e) {
      if (e instanceof RangeError) throw new SummaryPoolFull();
      throw e;
    }
  }

  /** Set id is the first n entries of s (its number of masks, entry 1, is compared before any mask). */
  private same(id: number, s: Int32Array, n: number): boolean {
    const pool = this.pool;
    const at = id * ALIGN;
    for (let i = 0; i < n; i++) if (pool[at + i] !== s[i]) return false;
    return true;
  }
}
