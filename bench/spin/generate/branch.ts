/**
 * Enumerating the outcomes of a deterministic function of a few finite-valued slots: run it with
 * a read function that, at each slot read for the first time in the run, picks one of the slot's
 * possible values, and backtrack depth-first over those choices. The runs are the leaves of the
 * function's decision tree: each leaf is the list of (slot, value) it read, in order, and what
 * the function returned. A slot read twice in one run gives the same value (no new branch).
 */

/** One leaf: the (slot, encoded value) pairs read, in reading order, and the function's result. */
export interface Leaf<R> {
  readonly reads: readonly (readonly [slot: number, value: number])[];
  readonly result: R;
}

/** Thrown when a function has more leaves than the bound (see `branch`). */
export class TooManyLeaves extends Error {}

/**
 * Every leaf of `run`'s decision tree over the slot values `valuesOf(slot)` (each a non-empty
 * list). `limit` bounds the number of leaves (an enumeration bound; exceeded: TooManyLeaves).
 */
export function branch<R>(
  valuesOf: (slot: number) => readonly number[],
  run: (read: (slot: number) => number) => R,
  limit: number,
): Leaf<R>[] {
  const leaves: Leaf<R>[] = [];
  // choice[k]: index, in the k-th read slot's values, of the value this run takes.
  const choice: number[] = [];
  const sizes: number[] = [];
  for (;;) {
    const reads: [number, number][] = [];
    const seen = new Map<number, number>();
    const read = (slot: number): number => {
      const hit = seen.get(slot);
      if (hit !== undefined) return hit;
      const values = valuesOf(slot);
      const k = reads.length;
      if (k === choice.length) {
        choice.push(0);
        sizes.push(values.length);
      }
      const v = values[choice[k]];
      seen.set(slot, v);
      reads.push([slot, v]);
      return v;
    };
    const result = run(read);
    leaves.push({ reads, result });
    if (leaves.length > limit) throw new TooManyLeaves(`more than ${limit} outcomes`);
    // Backtrack: the deepest read with another value left takes its next value.
    choice.length = sizes.length = reads.length;
    while (choice.length && choice[choice.length - 1] + 1 >= sizes[sizes.length - 1]) {
      choice.pop();
      sizes.pop();
    }
    if (choice.length === 0) return leaves;
    choice[choice.length - 1]++;
  }
}
