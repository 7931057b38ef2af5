/**
 * Domains of shared-state fields: small finite sets of values, declared in the layout
 * (src/lang/layout.ts). Every store is checked against its field's domain, so a model that
 * computes a value its author did not foresee (a refcount going to -1, a lock owner out of range)
 * stops with an error naming the step instead of exploring states that cannot exist.
 *
 * Kinds: an integer range; a thread id (-1 = nobody) or a bit set of thread ids, which the
 * symmetry reduction renames; a list of values (strings, null, or small records such as a PTE),
 * compared structurally.
 */
export type Domain = IntDomain | TidDomain | MaskDomain | ValuesDomain<unknown>;

export interface IntDomain {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
  readonly init: number;
}
export interface TidDomain {
  readonly kind: 'tid';
  readonly init: number;
}
export interface MaskDomain {
  readonly kind: 'mask';
  readonly init: number;
}
export interface ValuesDomain<V> {
  readonly kind: 'values';
  readonly values: readonly V[];
  readonly keys: ReadonlySet<string>;
  readonly init: V;
}

/** The most threads a model may have (thread-id bit sets fit in 31 bits). */
export const MAX_THREADS = 31;

/** An integer in min..max; starts at `init` (default min). */
export function int(min: number, max: number, init = min): IntDomain {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min > max)
    throw new Error(`int(${min}, ${max}): not an integer range`);
  const d: IntDomain = { kind: 'int', min, max, init };
  checkValue(d, init, 'initial value');
  return d;
}

/** 0 or 1. */
export const bit = (init = 0): IntDomain => int(0, 1, init);

/** A thread id, or -1 for nobody (a lock owner); renamed by the symmetry reduction. */
export const tid = (init = -1): TidDomain => ({ kind: 'tid', init });

/** A bit set of thread ids (holders, waiters); renamed by the symmetry reduction. */
export const mask = (init = 0): MaskDomain => ({ kind: 'mask', init });

/** One of a list of values (strings, numbers, null or plain records); starts at the first unless `init` is given. */
export function oneOf<V>(values: readonly V[], init: V = values[0]): ValuesDomain<V> {
  if (values.length === 0) throw new Error('oneOf(): no values');
  const d: ValuesDomain<V> = { kind: 'values', values, keys: new Set(values.map(keyOf)), init };
  checkValue(d, init, 'initial value');
  return d;
}

const keyOf = (v: unknown): string => `${typeof v}:${JSON.stringify(v)}`;

/** Whether `v` lies in the domain. */
export function inDomain(d: Domain | ValuesDomain<never>, v: unknown): boolean {
  switch (d.kind) {
    case 'int':
      return Number.isInteger(v) && (v as number) >= d.min && (v as number) <= d.max;
    case 'tid':
      return Number.isInteger(v) && (v as number) >= -1 && (v as number) < MAX_THREADS;
    case 'mask':
      return Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** MAX_THREADS;
    case 'values':
      return d.keys.has(keyOf(v));
  }
}

export function describeDomain(d: Domain | ValuesDomain<never>): string {
  switch (d.kind) {
    case 'int':
      return `${d.min}..${d.max}`;
    case 'tid':
      return `a thread id or -1`;
    case 'mask':
      return `a thread-id bit set`;
    case 'values':
      return `one of ${d.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
}

/**
 * A model's access the layout refuses: a value outside a field's domain, something that is not
 * a field of the layout, an index outside an array. Refused before the search when a thread's
 * run alone reaches it (src/lang/prepass.ts).
 */
export class LayoutError extends Error {}

/** Throws a one-line error when `v` lies outside the domain. */
export function checkValue(d: Domain | ValuesDomain<never>, v: unknown, what: string): void {
  if (!inDomain(d, v))
    throw new LayoutError(`${what} ${JSON.stringify(v)} is outside its domain (${describeDomain(d)})`);
}
