import { edgeHash } from './hash.js';

/** Entries of the cache (a power of two): 256 KiB, and about as many hits as 4× more. */
const BITS = 14;
const MASK = (1 << BITS) - 1;

/**
 * A direct-mapped cache from a state vector's additive fingerprint (fingerprintSum, which the
 * naive search gets for a successor without building it) to the key of its symmetry orbit
 * (VecCanon.key). Under symmetry about half of a naive search's successors are a vector it has
 * keyed a little earlier (two interleavings of the same steps reach the same vector, not only
 * the same orbit); a hit skips building the vector, sorting its threads and hashing its
 * permutation. The key is a function of the vector, and the vector is told apart by its 64-bit
 * fingerprint, as the visited set tells states apart (hash compaction): a hit needs both lanes.
 * The fingerprint (0, 0) marks an empty entry and is never a hit. Lanes come in typed arrays:
 * a 32-bit lane passed as a number would be boxed.
 */
export class KeyCache {
  /** Per entry: the fingerprint's two lanes, then the key's. */
  private readonly slots = new Int32Array(4 << BITS);
  hits = 0;

  /** The key cached for fingerprint (fp[0], fp[1]) into `out`, or null. */
  get(fp: Int32Array, out: Int32Array): Int32Array | null {
    const a = fp[0];
    const b = fp[1];
    const x = KeyCache.at(a, b);
    const s = this.slots;
    if (s[x] !== a || s[x + 1] !== b || (a === 0 && b === 0)) return null;
    out[0] = s[x + 2];
    out[1] = s[x + 3];
    this.hits++;
    return out;
  }

  /** Remember `key` for fingerprint (fp[0], fp[1]) (over whatever that entry held). */
  set(fp: Int32Array, key: Int32Array): void {
    const a = fp[0];
    const b = fp[1];
    const x = KeyCache.at(a, b);
    const s = this.slots;
    s[x] = a;
    s[x + 1] = b;
    s[x + 2] = key[0];
    s[x + 3] = key[1];
  }

  private static at(a: number, b: number): number {
    return (edgeHash(a, b) & MASK) << 2;
  }
}
