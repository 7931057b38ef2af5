import { mul } from '../../core/fingerprint.js';

/** Grow past 70% full: 17–34 bytes per state for the table (12 bytes a slot). */
const MAX_LOAD_TENTHS = 7;
/**
 * The visited set: an open-addressing hash table from 64-bit fingerprints to dense state ids
 * (0, 1, 2, ...). Searches keep their per-state data in typed columns indexed by id (no object
 * per state); `Column` grows them together.
 */
export class VisitedTable {
  /** Slots: a power of two, at most MAX_LOAD full (linear probing). Starts small: tiny searches stay tiny. */
  private cap = 1 << 6;
  /**
   * Slot i is slots[3i..3i+2] = (fingerprint lane a, lane b, id; -1: empty), interleaved so that
   * a probe of a large table touches one cache line, not three arrays.
   */
  private slots = VisitedTable.emptySlots(this.cap);
  size = 0;

  private static emptySlots(cap: number): Int32Array {
    const s = new Int32Array(cap * 3);
    for (let i = 2; i < s.length; i += 3) s[i] = -1;
    return s;
  }

  /** The state id for a fingerprint, or -1. */
  find(a: number, b: number): number {
    a |= 0;
    b |= 0;
    const mask = this.cap - 1;
    const slots = this.slots;
    let i = (a ^ mul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const x = i * 3;
      const id = slots[x + 2];
      if (id < 0) return -1;
      if (slots[x] === a && slots[x + 1] === b) return id;
      i = (i + 1) & mask;
    }
  }

  /** Insert a fingerprint not yet present; returns its new id. */
  add(a: number, b: number): number {
    if ((this.size + 1) * 10 > this.cap * MAX_LOAD_TENTHS) this.grow();
    const id = this.size++;
    this.place(a | 0, b | 0, id);
    return id;
  }

  bytes(): number {
    return this.cap * 12;
  }

  private place(a: number, b: number, id: number): void {
    const mask = this.cap - 1;
    const slots = this.slots;
    let i = (a ^ mul(b, 0x9e3779b1)) & mask;
    while (slots[i * 3 + 2] >= 0) i = (i + 1) & mask;
    slots[i * 3] = a;
    slots[i * 3 + 1] = b;
    slots[i * 3 + 2] = id;
  }

  private grow(): void {
    const old = this.slots;
    this.cap *= 2;
    this.slots = VisitedTable.emptySlots(this.cap);
    for (let x = 0; x < old.length; x += 3) if (old[x + 2] >= 0) this.place(old[x], old[x + 1], old[x + 2]);
  }
}

type Typed = Int32Array | Uint8Array;

/** A per-state column that grows by doubling. */
export class Column<T extends Typed> {
  constructor(
    public a: T,
    private readonly make: (n: number) => T,
  ) {}

  ensure(id: number): T {
    if (id >= this.a.length) {
      const b = this.make(Math.max(id + 1, this.a.length * 2));
      b.set(this.a);
      this.a = b;
    }
    return this.a;
  }

  bytes(): number {
    return this.a.byteLength;
  }
}

export const int32Column = () => new Column(new Int32Array(64), (n) => new Int32Array(n));
export const uint8Column = () => new Column(new Uint8Array(64), (n) => new Uint8Array(n));
