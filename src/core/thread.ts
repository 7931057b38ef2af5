import type { Step } from './step.js';

/** One kernel path: a name, its thread-local variables and its steps, run from pc 0. */
export interface ThreadDef<S = any, L = any> {
  readonly name: string;
  readonly locals: L;
  readonly steps: readonly Step<S, L>[];
}

export function thread<S, L>(name: string, locals: L, steps: readonly Step<S, L>[]): ThreadDef<S, L> {
  return { name, locals, steps };
}
