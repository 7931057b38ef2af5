import type { StepCost } from '../core/step.js';
import type { Body } from './context.js';

/**
 * The structured code of a kernel path. An atomic step is the unit the author chooses (`step`,
 * `when`: one PTE load, one refcount atomic, one lock operation); everything else is control
 * flow over the thread's locals and costs no step: `if_`, `while_`, `loop`, `break_`,
 * `continue_`, labelled jumps (`label`, `goto_`, where the kernel uses goto), sub-paths called
 * like functions (`sub`, `call`, `return_`), `exit`, and `scope` (locals that are dead outside
 * a block). `local` is a thread-local computation the kernel does between shared accesses; by
 * default the compiler merges it into the control flow (src/lang/compile.ts).
 */
export type Node<L> =
  | StepNode<L>
  | {
      readonly k: 'local';
      readonly label: string;
      readonly fn: LocalFn<L> | LocalBranchFn<L>;
      readonly branch?: { readonly then: Block<L>; readonly else: Block<L> };
    }
  | { readonly k: 'if'; readonly pred: Pred<L>; readonly then: Block<L>; readonly else: Block<L> }
  | { readonly k: 'while'; readonly pred: Pred<L>; readonly body: Block<L> }
  | { readonly k: 'loop'; readonly body: Block<L> }
  | { readonly k: 'break' }
  | { readonly k: 'continue' }
  | { readonly k: 'label'; readonly name: string }
  | { readonly k: 'goto'; readonly name: string }
  | { readonly k: 'call'; readonly sub: Sub<L> }
  | { readonly k: 'return' }
  | { readonly k: 'exit' }
  | { readonly k: 'scope'; readonly locals: Partial<L>; readonly body: Block<L> };

export interface StepNode<L> {
  readonly k: 'step';
  readonly label: string;
  readonly body: Body<L>;
  readonly cost?: StepCost;
  /** The locals the body may read, when the compiler cannot see it (StepOptions.uses). */
  readonly uses?: readonly string[];
  /** A branch step (`when`): the body's result chooses `then` (truthy) or `else`. */
  readonly branch?: { readonly then: Block<L>; readonly else: Block<L> };
}

export type Block<L> = readonly Node<L>[];
export type Pred<L> = (l: L, tid: number) => boolean;
export type LocalFn<L> = (l: L, tid: number) => Partial<L>;
/** A local computation that also decides a branch: the locals it changes, and then (true) or else. */
export type LocalBranchFn<L> = (l: L, tid: number) => readonly [Partial<L>, boolean];

/** A named sub-path (a kernel function), called with `call`; its name joins the call chain. */
export interface Sub<L> {
  readonly name: string;
  readonly body: Block<L>;
}

export interface StepOptions {
  /** What the step costs on its kernel path (`mmcheck compare`). */
  readonly cost?: StepCost;
  /**
   * The locals the body may read (before writing them), for the dead-local analysis when the
   * body hands its context to a helper, which hides what it reads (src/lang/scan.ts). Checked on
   * every run: reading another local is a model error naming the step.
   */
  readonly uses?: readonly string[];
}

/** One atomic step: `label` is `function: operation`; the body reads and writes through its context. */
export const step = <L>(label: string, body: Body<L>, opts: StepOptions = {}): Node<L> => ({
  k: 'step',
  label,
  body,
  cost: opts.cost,
  ...(opts.uses ? { uses: opts.uses } : {}),
});

/** One atomic step that decides a branch: `then` when the body returns a truthy value, else `otherwise`. */
export const when = <L>(
  label: string,
  body: Body<L>,
  then: Block<L>,
  otherwise: Block<L> = [],
  opts: StepOptions = {},
): Node<L> => ({
  k: 'step',
  label,
  body,
  cost: opts.cost,
  ...(opts.uses ? { uses: opts.uses } : {}),
  branch: { then, else: otherwise },
});

/** A thread-local computation (no shared access): returns the locals it changes. */
export const local = <L>(label: string, fn: LocalFn<L>): Node<L> => ({ k: 'local', label, fn });

/** A thread-local computation that decides a branch (`fn` returns [changed locals, then?]). */
export const localWhen = <L>(
  label: string,
  fn: LocalBranchFn<L>,
  then: Block<L>,
  otherwise: Block<L> = [],
): Node<L> => ({ k: 'local', label, fn, branch: { then, else: otherwise } });

/** Branch on the thread's locals (no step). */
export const if_ = <L>(pred: Pred<L>, then: Block<L>, otherwise: Block<L> = []): Node<L> => ({
  k: 'if',
  pred,
  then,
  else: otherwise,
});
export const while_ = <L>(pred: Pred<L>, body: Block<L>): Node<L> => ({ k: 'while', pred, body });
export const loop = <L>(body: Block<L>): Node<L> => ({ k: 'loop', body });
export const break_ = <L>(): Node<L> => ({ k: 'break' });
export const continue_ = <L>(): Node<L> => ({ k: 'continue' });
export const label = <L>(name: string): Node<L> => ({ k: 'label', name });
export const goto_ = <L>(name: string): Node<L> => ({ k: 'goto', name });
export const sub = <L>(name: string, body: Block<L>): Sub<L> => ({ name, body });
export const call = <L>(s: Sub<L>): Node<L> => ({ k: 'call', sub: s });
export const return_ = <L>(): Node<L> => ({ k: 'return' });
export const exit = <L>(): Node<L> => ({ k: 'exit' });
/**
 * Locals dead outside `body`: the block writes each of them before reading it, and nothing
 * after the block reads them. With the dead-local reduction they are reset to the given values
 * whenever the thread is outside the block (docs/lang-reductions.md).
 */
export const scope = <L>(locals: Partial<L>, body: Block<L>): Node<L> => ({ k: 'scope', locals, body });
