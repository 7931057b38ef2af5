/** Grow past 85% full, by half: the table stays 57–85% full, 9.4–14.1 bytes a state. */
const MAX_LOAD = 0.85;
const GROWTH = 1.5;
/** Entries of the recent-fingerprint filter (a power of two): 32 KiB, within the L1/L2 caches. */
const RECENT = 1 << 12;

/**
 * The compiled naive search's visited set: 64-bit fingerprints (hash compaction), 8 bytes a
 * slot, open addressing with linear probing and no state ids (the naive search keeps no data per
 * state). The capacity is any integer (a fingerprint lane is scaled to it, not masked), so the
 * table can grow by half instead of doubling and stays at most 16 bytes a stored state. The
 * fingerprint (0, 0) marks an empty slot; a state hashing to it is stored as (0, 1).
 */
export class FingerprintSet {
  private cap = 64;
  private slots = new Int32Array(2 * this.cap);
  /**
   * A direct-mapped filter of fingerprints found or added lately. Most successors a search
   * meets again it met a few steps before (two orders of the same steps); the filter answers
   * those from a small array that stays in cache, instead of a probe into the table, which
   * is a cache miss once the table is large. It holds only fingerprints the table holds.
   */
  private readonly recent = new Int32Array(2 * RECENT);
  size = 0;

  /**
   * Add the fingerprint (fp[0], fp[1]); false when it was already present. Its lanes come in a
   * typed array: a 32-bit lane passed as a number would be boxed (a heap number a call).
   */
  add(fp: Int32Array): boolean {
    const a = fp[0];
    let b = fp[1];
    if (a === 0 && b === 0) b = 1;
    const recent = this.recent;
    const r = ((a ^ b) & (RECENT - 1)) << 1;
    if (recent[r] === a && recent[r + 1] === b) return false;
    recent[r] = a;
    recent[r + 1] = b;
    const slots = this.slots;
    const cap = this.cap;
    let i = this.home(a, b, cap);
    for (;;) {
      const x = 2 * i;
      const sa = slots[x];
      const sb = slots[x + 1];
      if (sa === 0 && sb === 0) break;
      if (sa === a && sb === b) return false;
      i = i + 1 === cap ? 0 : i + 1;
    }
    slots[2 * i] = a;
    slots[2 * i + 1] = b;
    this.size++;
    if (this.size > MAX_LOAD * cap) this.grow();
    return true;
  }

  has(fp: Int32Array): boolean {
    const a = fp[0];
    let b = fp[1];
    if (a === 0 && b === 0) b = 1;
    const r = ((a ^ b) & (RECENT - 1)) << 1;
    if (this.recent[r] === a && this.recent[r + 1] === b) return true;
    const slots = this.slots;
    let i = this.home(a, b, this.cap);
    for (;;) {
      const sa = slots[2 * i];
      const sb = slots[2 * i + 1];
      if (sa === 0 && sb === 0) return false;
      if (sa === a && sb === b) return true;
      i = i + 1 === this.cap ? 0 : i + 1;
    }
  }

  bytes(): number {
    return this.slots.byteLength;
  }

  /**
   * A fingerprint's first slot: its hash scaled to the capacity (h · cap / 2^32, exact: below
   * 2^53 the product is, and above it the rounding error is far below cap).
   */
  private home(a: number, b: number, cap: number): number {
    const h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
    return (h * (cap / 4294967296)) | 0;
  }

  private grow(): void {
    const old = this.slots;
    const cap = Math.ceil(this.cap * GROWTH);
    const slots = new Int32Array(2 * cap);
    for (let x = 0; x < old.length; x += 2) {
      const a = old[x];
      const b = old[x + 1];
      if (a === 0 && b === 0) continue;
      let i = this.home(a, b, cap);
      while (slots[2 * i] !== 0 || slots[2 * i + 1] !== 0) i = i + 1 === cap ? 0 : i + 1;
      slots[2 * i] = a;
      slots[2 * i + 1] = b;
    }
    this.cap = cap;
    this.slots = slots;
  }
}
