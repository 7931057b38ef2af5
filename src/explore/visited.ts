import { mul } from '../core/fingerprint.js';

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
  private keyA = new Uint32Array(this.cap);
  private keyB = new Uint32Array(this.cap);
  private ids = new Int32Array(this.cap).fill(-1);
  size = 0;

  /** The state id for a fingerprint, or -1. */
  find(a: number, b: number): number {
    a >>>= 0;
    b >>>= 0;
    const mask = this.cap - 1;
    let i = (a ^ mul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const id = this.ids[i];
      if (id < 0) return -1;
      if (this.keyA[i] === a && this.keyB[i] === b) return id;
      i = (i + 1) & mask;
    }
  }

  /** Insert a fingerprint not yet present; returns its new id. */
  add(a: number, b: number): number {
    a >>>= 0;
    b >>>= 0;
    if ((this.size + 1) * 10 > this.cap * MAX_LOAD_TENTHS) this.grow();
    const id = this.size++;
    this.place(a, b, id);
    return id;
  }

  bytes(): number {
    return this.cap * 12;
  }

  private place(a: number, b: number, id: number): void {
    const mask = this.cap - 1;
    let i = (a ^ mul(b, 0x9e3779b1)) & mask;
    while (this.ids[i] >= 0) i = (i + 1) & mask;
    this.keyA[i] = a;
    this.keyB[i] = b;
    this.ids[i] = id;
  }

  private grow(): void {
    const { keyA, keyB, ids } = this;
    this.cap *= 2;
    this.keyA = new Uint32Array(this.cap);
    this.keyB = new Uint32Array(this.cap);
    this.ids = new Int32Array(this.cap).fill(-1);
    for (let i = 0; i < ids.length; i++) if (ids[i] >= 0) this.place(keyA[i], keyB[i], ids[i]);
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
      b.set(this.a as never);
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
