import type { Access } from './access.js';

/** A violation raised by a step itself: the kernel would BUG or WARN here. */
export interface StepViolation {
  /** Name of an `assertion` property declared by the model. */
  readonly property: string;
  /** The kernel's own wording, e.g. `VM_BUG_ON_PAGE(page_ref_count(page) == 0)`. */
  readonly message: string;
}

/** What one atomic step does. Omitted fields mean "unchanged" / "fall through to the next pc". */
export interface StepOutcome<S, L> {
  readonly s?: S;
  readonly l?: L;
  /**
   * Name of the step to run next, or `'exit'` to finish the thread; or the next step's index in
   * the thread's steps (compiled models, src/lang: the thread's length is exit).
   */
  readonly goto?: string | number;
  readonly violation?: StepViolation;
}

/**
 * One atomic action of a kernel path at the granularity of the race: one lock acquire, one PTE
 * load or store, one refcount atomic, one list step. `guard` false means blocked (not spinning).
 */
export interface Step<S = any, L = any> {
  /** `function: operation`, e.g. `try_to_migrate_one: ptep_get_and_clear`. */
  readonly label: string;
  /** pc name that `goto` can target. */
  readonly name?: string;
  readonly guard?: (s: S, l: L, tid: number) => boolean;
  readonly footprint: (s: S, l: L, tid: number) => readonly Access[];
  readonly run: (s: S, l: L, tid: number) => StepOutcome<S, L>;
  /** What the step costs on its kernel path: a lock acquisition or an atomic RMW (see `mmcheck compare`). */
  readonly cost?: StepCost;
  /**
   * Lockdep view of the step (optional; read only by the lock-order analysis, never by the
   * searches): the lock classes it acquires or releases, computed from the state before the
   * step. `null`/`[]` when this execution of the step takes or drops nothing (a failed trylock).
   */
  readonly lock?: LockAnnotation<S, L>;
  /**
   * Report only (never read by the searches): the call chain the step runs in, outermost first,
   * ending with its label's function — `['do_pte_missing', 'do_fault', …, 'filemap_get_entry']`.
   * See `withCalls` in src/core/calls.ts.
   */
  readonly chain?: readonly string[];
  /** Report only: why the step takes its branch, from the state before it (see `StepNote`). */
  readonly note?: StepNote<S, L>;
}

/**
 * The branch a step takes and why, in the kernel's words (`folio_ref_freeze(A, 2) fails: count
 * 3`), computed from the state before the step; null when there is nothing to add. `names` are
 * the thread names by id, so a note can name an owner or a holder.
 */
export type StepNote<S = any, L = any> = (s: S, l: L, tid: number, names: readonly string[]) => string | null;

export type StepCost = 'lock' | 'atomic';

/** One lockdep event: `lock_acquire` / `lock_release` of a lock class. */
export interface LockOp {
  readonly op: 'acquire' | 'release';
  /** Lock class as lockdep names it (`i_mmap_rwsem`, `vm_seq`, `vm_seq/1` for a nested subclass). */
  readonly cls: string;
  /** The lock instance (its location); a release drops the most recent hold of it. Default: `cls`. */
  readonly inst?: string;
  /** A shared (read) acquisition: down_read, read_seqcount_begin. */
  readonly read?: boolean;
  /** A trylock: held afterwards, but it records no "held → this" dependency (it cannot wait). */
  readonly trylock?: boolean;
}

export type LockAnnotation<S = any, L = any> = (s: S, l: L, tid: number) => LockOp | readonly LockOp[] | null;

/** The part of a step a primitive supplies; `label`/`name` may be set by the model. */
export type StepSpec<S = any, L = any> = Omit<Step<S, L>, 'label' | 'name'> & {
  readonly label?: string;
  readonly name?: string;
};

/** Give a primitive-built step its kernel label (and optionally a pc name). */
export function step<S, L>(label: string, spec: StepSpec<S, L>, name?: string): Step<S, L> {
  return { ...spec, label, name: name ?? spec.name };
}

/**
 * A primitive's step followed by more work in the same atomic step (new locals, the next pc, or
 * a further change to the state the primitive left, `s`), unless the primitive raised a
 * violation. A footprint for the extra work is the caller's to add.
 */
export function andThen<S, L>(
  spec: StepSpec<S, L>,
  after: (l: L, tid: number, s: S) => StepOutcome<S, L>,
): StepSpec<S, L> {
  return {
    ...spec,
    run: (s, l, tid) => {
      const r = spec.run(s, l, tid);
      return r.violation ? r : { ...r, ...after(r.l ?? l, tid, r.s ?? s) };
    },
  };
}

/** A numeric goto (compiled models): a step index, or the thread's length for exit; else undefined. */
export function pcIndex(goto: number, length: number): number | undefined {
  return Number.isInteger(goto) && goto >= 0 && goto <= length ? goto : undefined;
}
