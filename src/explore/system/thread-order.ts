/**
 * The canonical order of a symmetry group's threads, shared by the reference canonicaliser
 * (canon.ts) and the compiled engine's (src/engine/symmetry.ts), so both store the same orbit
 * representative: threads sorted by (pc, threadKey, locals hash h1, h2), ties in thread order.
 */
type Keys = Float64Array;

/** Insert thread t, whose keys k0..k3 are set, into `order[0..j)` (insertion sort: groups are small; stable). */
export function insertThread(k0: Keys, k1: Keys, k2: Keys, k3: Keys, order: Int32Array, j: number, t: number): void {
  let x = j;
  while (x > 0) {
    const u = order[x - 1];
    if (
      k0[u] < k0[t] ||
      (k0[u] === k0[t] &&
        (k1[u] < k1[t] || (k1[u] === k1[t] && (k2[u] < k2[t] || (k2[u] === k2[t] && k3[u] <= k3[t])))))
    )
      break;
    order[x] = u;
    x--;
  }
  order[x] = t;
}

/** The renaming sending the j-th sorted thread to group[j], into `to`; true when it is the identity. */
export function renameSorted(order: Int32Array, group: Int32Array, to: Int32Array): boolean {
  let identity = true;
  for (let j = 0; j < group.length; j++) {
    to[order[j]] = group[j];
    if (order[j] !== group[j]) identity = false;
  }
  return identity;
}
