/**
 * The small integer hashes the compiled engine's tables share (multiply-xorshift, 32-bit): an
 * edge of a trie (a node and a value), and the order-free sum over (position, value) terms a
 * segment or a set of changed slots hashes to.
 */

/** The hash of value (or lane) x under node (or lane) `node`: a trie's edge, a cache's entry. */
export function edgeHash(node: number, x: number): number {
  const h = Math.imul(node ^ Math.imul(x, 0x85ebca6b), 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** The start of a sum of terms under `node`. */
export function seed(node: number): number {
  return Math.imul(node + 0x2545f491, 0x85ebca6b);
}

/**
 * The hash of value x at position j: a sum of terms does not depend on their order, and the
 * terms are independent (no chain of multiplications through a long segment).
 */
export function term(j: number, x: number): number {
  const t = Math.imul(x ^ Math.imul(j + 1, 0x9e3779b1), 0x85ebca6b);
  return t ^ (t >>> 16);
}
