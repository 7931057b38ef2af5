import { reads, writes } from './access.js';
import { getIn, locOf, setIn, type Path } from './path.js';
import type { Step, StepOutcome } from './step.js';

/**
 * Generic shared-memory steps for models that are not kernel specific (the classic programs)
 * and for plain loads and stores in kernel models. A path may depend on the thread's locals.
 */
export type PathOf<L> = Path | ((l: L, tid: number) => Path);
const resolve = <L>(p: PathOf<L>, l: L, tid: number): Path => (typeof p === 'function' ? p(l, tid) : p);

/** A thread-local computation: touches no shared location. */
export function local<L>(label: string, fn: (l: L, tid: number) => StepOutcome<any, L>, name?: string): Step<any, L> {
  return { label, name, footprint: () => [], run: (_s, l, tid) => fn(l, tid) };
}

/** Plain load of one shared location into the thread's locals (with an optional branch). */
export function load<L>(
  label: string,
  path: PathOf<L>,
  into: (l: L, v: any, tid: number) => StepOutcome<any, L>,
  name?: string,
): Step<any, L> {
  return {
    label,
    name,
    footprint: (_s, l, tid) => reads(locOf(resolve(path, l, tid))),
    run: (s, l, tid) => into(l, getIn(s, resolve(path, l, tid)), tid),
  };
}

/** Plain store of a value computed from the thread's locals. */
export function store<L>(
  label: string,
  path: PathOf<L>,
  value: (l: L, tid: number) => unknown,
  name?: string,
): Step<any, L> {
  return {
    label,
    name,
    footprint: (_s, l, tid) => writes(locOf(resolve(path, l, tid))),
    run: (s, l, tid) => ({ s: setIn(s, resolve(path, l, tid), value(l, tid)) }),
  };
}

/** Block until a shared location satisfies a predicate (not a busy loop: a guard). */
export function awaitUntil<L>(
  label: string,
  path: PathOf<L>,
  ready: (v: any, l: L) => boolean,
  name?: string,
): Step<any, L> {
  return {
    label,
    name,
    guard: (s, l, tid) => ready(getIn(s, resolve(path, l, tid)), l),
    footprint: (_s, l, tid) => reads(locOf(resolve(path, l, tid))),
    run: () => ({}),
  };
}

/** Unconditional jump (a thread-local step). */
export function jump(label: string, target: string, name?: string): Step {
  return { label, name, footprint: () => [], run: () => ({ goto: target }) };
}
