import { mul } from '../../core/fingerprint.js';

/**
 * Grow past 90% full, by 15%: the table stays 78–90% full, 13.3–15.3 bytes a state with 12-byte
 * slots. Linear probing that full costs tens of probes for a new state, but on sequential memory,
 * and DPOR spends tens of microseconds a state elsewhere.
 */
const MAX_LOAD = 0.9;
const GROWTH = 1.15;

/**
 * The DPOR search's visited set: 64-bit fingerprints (hash compaction), each with a 32-bit word
 * of per-state data, 12 bytes a slot, open addressing with linear probing and no state ids: a
 * state's data lives in its slot, so DPOR keeps no per-state column. Slots move only when the
 * table grows (linear probing, nothing deleted), so a slot number is valid while `grows` is
 * unchanged. The capacity is any integer (a fingerprint lane is scaled to it, not masked), so
 * the table can grow by 15%. The fingerprint (0, 0) marks an empty slot; a state hashing to it
 * is stored as (0, 1).
 */
export class MemoTable {
  private cap = 64;
  /** Slot i is slots[3i..3i+2] = (fingerprint lane a, lane b, word). */
  private slots = new Int32Array(3 * this.cap);
  size = 0;
  /** How many times the table grew: a slot number stays valid while this is unchanged. */
  grows = 0;

  /** The slot holding a fingerprint, or -1. */
  find(a: number, b: number): number {
    const at = this.probe(a, b);
    return at < 0 ? -1 : at;
  }

  /**
   * The slot holding a fingerprint, or, when it is absent, ~slot of the empty slot where it
   * would go: `insertAt` places it there without probing again.
   */
  probe(a: number, b: number): number {
    a |= 0;
    b |= 0;
    if (a === 0 && b === 0) b = 1;
    const slots = this.slots;
    const cap = this.cap;
    let i = home(a, b, cap);
    for (;;) {
      const x = 3 * i;
      const sa = slots[x];
      const sb = slots[x + 1];
      if (sa === a && sb === b) return i;
      if (sa === 0 && sb === 0) return ~i;
      i = i + 1 === cap ? 0 : i + 1;
    }
  }

  /** Insert a fingerprint not yet present (word 0); returns its slot. */
  insert(a: number, b: number): number {
    return this.insertAt(a, b, -1);
  }

  /** Insert a fingerprint that `probe` just missed at `hole` (its ~result; -1: unknown); returns its slot. */
  insertAt(a: number, b: number, hole: number): number {
    a |= 0;
    b |= 0;
    if (a === 0 && b === 0) b = 1;
    this.size++;
    if (this.size > MAX_LOAD * this.cap) this.grow();
    else if (hole >= 0) {
      this.slots[3 * hole] = a;
      this.slots[3 * hole + 1] = b;
      return hole;
    }
    return this.place(this.slots, this.cap, a, b);
  }

  word(slot: number): number {
    return this.slots[3 * slot + 2];
  }

  setWord(slot: number, word: number): void {
    this.slots[3 * slot + 2] = word;
  }

  bytes(): number {
    return this.slots.byteLength;
  }

  private place(slots: Int32Array, cap: number, a: number, b: number): number {
    let i = home(a, b, cap);
    while (slots[3 * i] !== 0 || slots[3 * i + 1] !== 0) i = i + 1 === cap ? 0 : i + 1;
    slots[3 * i] = a;
    slots[3 * i + 1] = b;
    return i;
  }

  private grow(): void {
    const old = this.slots;
    const cap = Math.ceil(this.cap * GROWTH);
    const slots = new Int32Array(3 * cap);
    for (let x = 0; x < old.length; x += 3) {
      if (old[x] === 0 && old[x + 1] === 0) continue;
      const i = this.place(slots, cap, old[x], old[x + 1]);
      slots[3 * i + 2] = old[x + 2];
    }
    this.cap = cap;
    this.slots = slots;
    this.grows++;
  }
}

function home(a: number, b: number, cap: number): number {
  const h = (a ^ mul(b, 0x9e3779b1)) >>> 0;
  return Math.floor((h / 4294967296) * cap);
}
