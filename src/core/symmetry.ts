/**
 * Symmetry of a program: groups of interchangeable threads. Two states that differ only by a
 * permutation of the threads inside a group (their pcs, locals and every thread id the shared
 * state mentions) behave alike, so the stateful searches store one of them (see
 * docs/performance.md).
 *
 * A declaration is a claim the model makes, and the searches trust it; it holds when:
 *  - the threads of a group run the same steps from the same initial locals;
 *  - a step's behaviour depends on its thread id only through ids it stores in the shared state
 *    (lock owners, holder or waiter bit sets) — `permute` renames those — and the locations a
 *    step touches do not depend on the thread id (no `a[tid]`);
 *  - locals hold no thread id;
 *  - every property's verdict is the same for a state and its permutations (messages may name
 *    threads).
 * `checkSymmetry` (src/explore/sanity/symmetry-check.ts) tests all four on the reachable states
 * (invariants everywhere, end-state properties on terminal states).
 */
export interface Symmetry<S = any> {
  /** Groups of interchangeable thread indices (each group of at least two threads). */
  readonly groups: readonly (readonly number[])[];
  /**
   * The shared state with thread ids renamed: thread t becomes `to[t]`. Omit only when the
   * shared state never mentions a thread id.
   */
  readonly permute?: (s: S, to: ArrayLike<number>) => S;
  /**
   * Optional: a small integer summarising what the shared state says about thread `tid` (e.g.
   * "holds a reference", "queued on the lock"), equal for threads that permute needs not tell
   * apart. Threads are sorted by (pc, this key, locals): the sharper the key, the more often two
   * permutations of one state get the same representative. Any key is sound.
   */
  readonly threadKey?: (s: S, tid: number) => number;
}

/** A thread id renamed: -1 (no thread) stays. */
export const permuteTid = (tid: number, to: ArrayLike<number>): number => (tid < 0 ? tid : to[tid]);

/** A bit set of thread ids renamed. */
export function permuteMask(mask: number, to: ArrayLike<number>): number {
  let out = 0;
  while (mask !== 0) {
    const t = 31 - Math.clz32(mask & -mask);
    mask &= mask - 1;
    out |= 1 << to[t];
  }
  return out;
}
