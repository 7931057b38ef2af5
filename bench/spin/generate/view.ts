/**
 * A property's check as a decision tree: the check (a JavaScript function of a StateView) is run
 * on a view whose every field and every thread position is read through one branching read
 * (branch.ts), so each run follows one path of the check's decision tree. A thread's `done`,
 * `at` and `l` all come from its control-state slot; its `name` is a constant.
 */
import type { Property, StateView, ThreadView } from '../../../src/core/property.js';
import type { Spec } from '../../../src/lang/layout.js';
import { branch, TooManyLeaves, type Leaf } from './branch.js';
import type { Machine } from './machine.js';

export type Verdict = 'holds' | 'violated' | 'error';

/** The leaves of a property's check over the machine's slots. */
export function propertyLeaves(m: Machine, p: Property, limit: number): Leaf<Verdict>[] {
  let read: (slot: number) => number = () => {
    throw new Error('read outside a run');
  };
  const field = (slot: number) => m.decode(slot, read(slot));
  const s = viewOf(m.layout.spec, { next: 0 }, field);
  const F = m.fields.length;
  const threads: ThreadView[] = m.threads.map((t, i) => {
    const cs = () => t.states[read(F + i)];
    return Object.freeze({
      name: t.name,
      get done() {
        return cs().pc >= t.steps.length;
      },
      get at() {
        return t.steps[cs().pc]?.label ?? 'exit';
      },
      get l() {
        return cs().l;
      },
    });
  });
  const view: StateView = { s, threads: Object.freeze(threads) };
  const run = (r: (slot: number) => number): Verdict => {
    read = r;
    try {
      const out = p.check!(view);
      if (out === null || out === undefined) return 'holds';
      return typeof out === 'string' && out !== '' ? 'violated' : 'error';
    } catch {
      return 'error';
    }
  };
  try {
    return branch((slot) => m.values[slot], run, limit);
  } catch (e) {
    if (e instanceof TooManyLeaves)
      throw new Error(`property '${p.name}': ${e.message} (the enumeration bound)`, { cause: e });
    throw e;
  }
}

/** The shared state as nested records and arrays whose fields read through `field` (in layout order). */
function viewOf(spec: Spec, at: { next: number }, field: (slot: number) => unknown): unknown {
  const k = (spec as { kind?: unknown }).kind;
  if (k === 'int' || k === 'tid' || k === 'mask' || k === 'values') {
    const slot = at.next++;
    return { leaf: slot };
  }
  const make = (target: object, entries: [string, unknown][]) => {
    for (const [name, v] of entries) {
      const leaf = (v as { leaf?: number }).leaf;
      if (typeof leaf === 'number') Object.defineProperty(target, name, { enumerable: true, get: () => field(leaf) });
      else Object.defineProperty(target, name, { enumerable: true, value: v });
    }
    return Object.freeze(target);
  };
  if (k === 'array') {
    const a = spec as { length: number; of: Spec };
    const items = Array.from({ length: a.length }, () => viewOf(a.of, at, field));
    return make(
      new Array(a.length),
      items.map((v, i) => [String(i), v]),
    );
  }
  const rec = (k === 'unit' ? (spec as { of: Record<string, Spec> }).of : spec) as Record<string, Spec>;
  return make(
    {},
    Object.entries(rec).map(([name, s]) => [name, viewOf(s, at, field)]),
  );
}
