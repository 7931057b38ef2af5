/**
 * Properties a model is checked against. Each is a named, documented pure function returning
 * `null` (holds) or a message naming the objects involved.
 *  - invariant: checked in every reachable state;
 *  - end: checked in every terminal state (all threads finished);
 *  - assertion: raised by a step itself (a kernel BUG_ON/WARN_ON in a primitive);
 *  - deadlock: built in (`deadlock-free`): some thread unfinished and none can move.
 */
export type PropertyKind = 'invariant' | 'end' | 'assertion' | 'deadlock';

/** What a property sees: the shared state and each thread's position. */
export interface StateView<S = any> {
  readonly s: S;
  readonly threads: readonly ThreadView[];
}

export interface ThreadView {
  readonly name: string;
  readonly done: boolean;
  /** Label of the next step (`exit` when done). */
  readonly at: string;
  readonly l: any;
}

export interface Property<S = any> {
  readonly name: string;
  readonly kind: PropertyKind;
  readonly doc: string;
  /**
   * Location prefixes an invariant reads. Steps writing them are "visible" to the partial-order
   * reduction. Omit (or '*') when the invariant reads thread pcs or locals: every step is visible.
   */
  readonly reads?: readonly string[];
  readonly check?: (v: StateView<S>) => string | null;
}

export const DEADLOCK_FREE = 'deadlock-free';

export const deadlockFree: Property = {
  name: DEADLOCK_FREE,
  kind: 'deadlock',
  doc: 'Some thread has not finished and no thread can take a step.',
};

export function invariant<S>(
  name: string,
  doc: string,
  reads: readonly string[] | undefined,
  check: (v: StateView<S>) => string | null,
): Property<S> {
  return { name, kind: 'invariant', doc, reads, check };
}

export function endState<S>(name: string, doc: string, check: (v: StateView<S>) => string | null): Property<S> {
  return { name, kind: 'end', doc, check };
}

export function assertion(name: string, doc: string): Property {
  return { name, kind: 'assertion', doc };
}
