/**
 * Two 32-bit hash lanes of a state vector (a 64-bit fingerprint: what the visited set stores).
 * Each lane multiplies, xors and rotates slot by slot (so the order of slots matters) with its
 * own constants, and is finalised like murmur3. `fingerprintPermuted` hashes the permuted
 * vector of a symmetry permutation without building it.
 */
export function fingerprint(v: Int32Array, out: Int32Array): Int32Array {
  let a = 0x811c9dc5 | 0;
  let b = 0x2545f491 | 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    a = Math.imul(a ^ x, 0x9e3779b1);
    b = Math.imul(b + x, 0xc2b2ae35) ^ i;
    a = (a << 13) | (a >>> 19);
    b = (b << 17) | (b >>> 15);
  }
  return finish(a, b, v.length, out);
}

/** Slot kinds for `fingerprintPermuted`: a plain value, a thread id, a thread-id bit set. */
export const PLAIN = 0;
export const TID = 1;
export const MASK = 2;

/**
 * The fingerprint of v with thread t renamed to `to[t]` (`from` its inverse): field slots of
 * kind TID and MASK renamed, then the thread blocks (pc, locals id) in slot order — equal to
 * `fingerprint` of the permuted vector.
 */
export function fingerprintPermuted(
  v: Int32Array,
  fields: number,
  kinds: Uint8Array,
  to: Int32Array,
  from: Int32Array,
  out: Int32Array,
): Int32Array {
  let a = 0x811c9dc5 | 0;
  let b = 0x2545f491 | 0;
  for (let i = 0; i < fields; i++) {
    let x = v[i];
    const k = kinds[i];
    if (k === TID) x = x < 0 ? x : to[x];
    else if (k === MASK) {
      let m = x;
      x = 0;
      while (m !== 0) {
        const t = 31 - Math.clz32(m & -m);
        m &= m - 1;
        x |= 1 << to[t];
      }
    }
    a = Math.imul(a ^ x, 0x9e3779b1);
    b = Math.imul(b + x, 0xc2b2ae35) ^ i;
    a = (a << 13) | (a >>> 19);
    b = (b << 17) | (b >>> 15);
  }
  const n = from.length;
  for (let j = 0; j < 2 * n; j++) {
    const x = v[fields + 2 * from[j >> 1] + (j & 1)];
    const i = fields + j;
    a = Math.imul(a ^ x, 0x9e3779b1);
    b = Math.imul(b + x, 0xc2b2ae35) ^ i;
    a = (a << 13) | (a >>> 19);
    b = (b << 17) | (b >>> 15);
  }
  return finish(a, b, fields + 2 * n, out);
}

function finish(a: number, b: number, len: number, out: Int32Array): Int32Array {
  out[0] = mix(a ^ len);
  out[1] = mix(b ^ Math.imul(len, 0x27d4eb2f));
  return out;
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * Lane a of the additive fingerprint's term for value x in slot i. For a fixed slot it is a
 * bijection of x (an odd multiply-add, then murmur3's finaliser), and slots get unrelated terms.
 */
export function termA(i: number, x: number): number {
  return mix(Math.imul(x, 0x9e3779b1) + Math.imul(i, 0x85ebca77) + 0x165667b1);
}

/** Lane b of the additive fingerprint's term (other constants: the lanes are independent). */
export function termB(i: number, x: number): number {
  return mix(Math.imul(x ^ 0x27d4eb2f, 0xc2b2ae3d) ^ Math.imul(i + 1, 0x61c88647));
}

/**
 * The additive fingerprint (Zobrist-style hashing): each lane is the sum, modulo 2^32, of one
 * term per slot. A successor that differs in a few slots gets its fingerprint from its parent's
 * by swapping those slots' terms, without hashing (or even building) the whole vector:
 * the naive search keys successors this way (src/engine/naive.ts).
 */
export function fingerprintSum(v: Int32Array, out: Int32Array): Int32Array {
  let a = 0;
  let b = 0;
  for (let i = 0; i < v.length; i++) {
    a = (a + termA(i, v[i])) | 0;
    b = (b + termB(i, v[i])) | 0;
  }
  out[0] = a;
  out[1] = b;
  return out;
}
