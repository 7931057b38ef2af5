import { mul } from '../core/fingerprint.js';

/**
 * A map from pairs of non-negative int32s to non-negative int32s, open addressing over typed
 * arrays. The summary table's union and rename caches use it instead of a Map keyed by
 * `a * 2^k + b`: those keys leave the small-integer range, so every lookup boxed a number.
 */
export class PairMap {
  private keys = new Int32Array(128).fill(-1);
  private vals = new Int32Array(64);
  private mask = 63;
  size = 0;

  private slot(a: number, b: number): number {
    let h = (mul(a, 0x9e3779b1) ^ mul(b + 0x7f4a7c15, 0x85ebca6b)) | 0;
    h ^= h >>> 15;
    let i = h & this.mask;
    const k = this.keys;
    while (k[2 * i] !== -1 && (k[2 * i] !== a || k[2 * i + 1] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    const i = this.slot(a, b);
    return this.keys[2 * i] === -1 ? -1 : this.vals[i];
  }

  set(a: number, b: number, v: number): void {
    let i = this.slot(a, b);
    if (this.keys[2 * i] === -1) {
      if ((this.size + 1) * 10 > (this.mask + 1) * 7) {
        this.grow();
        i = this.slot(a, b);
      }
      this.keys[2 * i] = a;
      this.keys[2 * i + 1] = b;
      this.size++;
    }
    this.vals[i] = v;
  }

  bytes(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  private grow(): void {
    const { keys, vals } = this;
    const cap = (this.mask + 1) * 2;
    this.keys = new Int32Array(cap * 2).fill(-1);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < vals.length; i++) {
      if (keys[2 * i] === -1) continue;
      const j = this.slot(keys[2 * i], keys[2 * i + 1]);
      this.keys[2 * j] = keys[2 * i];
      this.keys[2 * j + 1] = keys[2 * i + 1];
      this.vals[j] = vals[i];
    }
  }
}
