import type { Instance } from '../../core/instantiate.js';
import type { Property } from '../../core/property.js';
import type { StepViolation } from '../../core/step.js';
import type { Found } from './check.js';
import type { Trace } from '../results/result.js';

/** A footprint compiled to location ids: `id * 2 + (write ? 1 : 0)`; 1 marks an invariant-visible write. */
export type Footprint = readonly number[];

/** A step's successor; `violation` when the step raised an assertion (the execution ends there). */
export interface Moved<S> {
  readonly g: S;
  readonly violation?: StepViolation;
}

/** Thread permutations by id (0: identity): thread → canonical slot (`to`) and back (`from`). */
export interface Permutations {
  to(id: number): Int32Array;
  from(id: number): Int32Array;
}

/**
 * What the searches need of a transition system over states of type S: the reference engine
 * (src/explore/system/system.ts, states as objects) and the compiled engine (src/engine, states as
 * flat vectors) both provide it. States are immutable values; `key` and `fingerprint` return a
 * two-lane buffer that the next call overwrites.
 */
export interface TransitionSystem<S> {
  readonly inst: Instance;
  readonly n: number;
  readonly names: readonly string[];
  readonly allDone: number;
  readonly invariants: readonly Property[];
  readonly ends: readonly Property[];
  readonly assertions: ReadonlySet<string>;
  readonly checkDeadlock: boolean;
  /** The symmetry reduction's permutations (null without symmetry). */
  readonly canon: Permutations | null;
  /** The permutation id of the last `key` (0: identity). */
  readonly keyPerm: number;
  initial(): S;
  isDone(g: S, tid: number): boolean;
  enabled(g: S, tid: number): boolean;
  enabledMask(g: S): number;
  doneMask(g: S): number;
  /** Footprint of the thread's next step (empty when done). */
  footprint(g: S, tid: number): Footprint;
  exec(g: S, tid: number): Moved<S>;
  /** The visited-set key: the fingerprint, of the canonical permutation under symmetry. */
  key(g: S): ArrayLike<number>;
  fingerprint(g: S): ArrayLike<number>;
  symmetryStats(): { symmetry?: boolean };
  label(g: S, tid: number): string;
  stepCost(g: S, tid: number): string | undefined;
  /** Whether the thread's next step may block (has a guard); true when it has finished. */
  hasGuard(g: S, tid: number): boolean;
  /** Invariants; end-state properties when all threads are done; deadlock when none can move. */
  check(g: S, enabled: number): readonly Found[];
  /** The counterexample trace of a schedule, replayed by the reference engine. */
  trace(tids: readonly number[]): Trace;
}
