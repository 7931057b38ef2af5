/**
 * Open-addressing index from a 32-bit hash to small ids (the event and summary tables). The
 * owner compares candidates: `start(h)` gives the first slot to probe, `idAt(slot)` the id there
 * (-1: empty, stop), `next(slot)` the following slot, and `insert(h, id)` adds an id whose
 * equal was not found. Replaces a Map keyed by the hash, whose keys outside the small-integer
 * range were boxed on every lookup.
 */
export class HashIndex {
  private hashes = new Int32Array(64);
  private ids = new Int32Array(64).fill(-1);
  private mask = 63;
  private size = 0;

  start(h: number): number {
    h ^= h >>> 16;
    return h & this.mask;
  }

  /** The id in `slot` if its hash is h, -2 if another hash (probe on), -1 if empty (stop). */
  idAt(slot: number, h: number): number {
    const id = this.ids[slot];
    return id < 0 || this.hashes[slot] === (h | 0) ? id : -2;
  }

  next(slot: number): number {
    return (slot + 1) & this.mask;
  }

  bytes(): number {
    return this.hashes.byteLength + this.ids.byteLength;
  }

  insert(h: number, id: number): void {
    if ((this.size + 1) * 10 > (this.mask + 1) * 7) this.grow();
    let i = this.start(h);
    while (this.ids[i] >= 0) i = (i + 1) & this.mask;
    this.hashes[i] = h;
    this.ids[i] = id;
    this.size++;
  }

  private grow(): void {
    const { hashes, ids } = this;
    const cap = (this.mask + 1) * 2;
    this.hashes = new Int32Array(cap);
    this.ids = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] >= 0) this.insert(hashes[i], ids[i]);
  }
}
