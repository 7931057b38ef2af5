import { ModelError, errorMessage } from './errors.js';

/**
 * Properties a model is checked against. Each is a named, documented pure function returning
 * `null` or `undefined` (holds) or a non-empty message string naming the objects involved
 * (violated). Anything else (`false`, `true`, a number, an object, `''`) and a check that throws
 * are model errors, never verdicts (see `verdictOf`).
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
  readonly check?: (v: StateView<S>) => PropertyResult;
}

/** What a property's check returns: a message (violated), or null / undefined (holds). */
export type PropertyResult = string | null | undefined;

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
  check: (v: StateView<S>) => PropertyResult,
): Property<S> {
  return { name, kind: 'invariant', doc, reads, check };
}

export function endState<S>(name: string, doc: string, check: (v: StateView<S>) => PropertyResult): Property<S> {
  return { name, kind: 'end', doc, check };
}

export function assertion(name: string, doc: string): Property {
  return { name, kind: 'assertion', doc };
}

/**
 * Run a property's check on a state: the violation message, or null when it holds. A check that
 * throws or returns anything but a non-empty string, null or undefined is a ModelError naming the
 * model and the property (`property-threw`, `property-result`): a mistake in the model must never
 * read as a verdict.
 */
export function verdictOf(model: string, p: Property, v: StateView): string | null {
  let r: unknown;
  try {
    r = p.check!(v);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`model '${model}' property '${p.name}' threw: ${errorMessage(e)}`, 'property-threw');
  }
  if (r === null || r === undefined) return null;
  if (typeof r === 'string' && r !== '') return r;
  throw new ModelError(
    `model '${model}' property '${p.name}' returned ${describe(r)}; a property returns a message string when violated, null or undefined when it holds`,
    'property-result',
  );
}

function describe(r: unknown): string {
  if (r === '') return 'an empty string';
  if (typeof r === 'boolean' || typeof r === 'number' || typeof r === 'bigint') return `${typeof r} ${r}`;
  if (Array.isArray(r)) return 'an array';
  return `${typeof r === 'object' ? 'an' : 'a'} ${typeof r}`;
}
