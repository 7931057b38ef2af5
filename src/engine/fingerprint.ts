import { mul } from '../core/fingerprint.js';

/**
 * Two 32-bit hash lanes of a state vector (a 64-bit fingerprint: what the visited set stores).
 * Each lane mixes every slot with a different multiplier and finalises like murmur3.
 */
export function fingerprint(v: Int32Array, out: Int32Array): Int32Array {
  let a = 0x811c9dc5 | 0;
  let b = 0x2545f491 | 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    a = mul(a ^ mix(x + i), 0x9e3779b1);
    b = mul(b ^ mix(x ^ mul(i + 1, 0x85ebca6b)), 0xc2b2ae35);
    a = (a << 13) | (a >>> 19);
    b = (b << 17) | (b >>> 15);
  }
  out[0] = mix(a ^ v.length);
  out[1] = mix(b ^ mul(v.length, 0x27d4eb2f));
  return out;
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = mul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = mul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
