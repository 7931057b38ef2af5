import type { StepViolation } from '../../../core/step.js';
import type { Found } from '../../system/check.js';
import type { Footprint, TransitionSystem } from '../../system/transition.js';

/**
 * The states of the DPOR search's frames (dpor.ts), by depth: the search asks for a successor,
 * keys it, and only when it enters the successor as a frame keeps it. The reference engine's
 * states are immutable objects (SystemStates); the compiled engine builds a successor in a
 * scratch vector and keeps one vector a depth, and knows what a step leaves unchanged
 * (src/engine/dpor-states.ts).
 */
export interface DporStates {
  /** Hold the initial state (then `key`, `enter(0)`). */
  start(): void;
  /** Hold thread p's successor of frame k's state; the BUG it raised, if any (nothing is held then). */
  successor(k: number, p: number): StepViolation | undefined;
  /** The held state's visited-set key (two lanes, overwritten by the next call) and its permutation id. */
  key(): ArrayLike<number>;
  readonly keyPerm: number;
  /** Make the held state frame k's (k = 0, or the frame after the one `successor` stepped); its enabled threads. */
  enter(k: number): number;
  isDone(k: number, q: number): boolean;
  /** Footprint of thread q's next step from frame k's state. */
  footprint(k: number, q: number): Footprint;
  /** The properties frame k's state violates (`enabled`: its enabled threads). */
  check(k: number, enabled: number): readonly Found[];
}

/** Frame states of any transition system: the successor is `exec`'s, kept as it is. */
export class SystemStates<S> implements DporStates {
  private readonly states: S[] = [];
  private held: S | undefined;

  constructor(private readonly sys: TransitionSystem<S>) {}

  start(): void {
    this.held = this.sys.initial();
  }

  successor(k: number, p: number): StepViolation | undefined {
    const ex = this.sys.exec(this.states[k], p);
    this.held = ex.g;
    return ex.violation;
  }

  key(): ArrayLike<number> {
    return this.sys.key(this.held!);
  }

  get keyPerm(): number {
    return this.sys.keyPerm;
  }

  enter(k: number): number {
    const g = this.held!;
    this.states[k] = g;
    return this.sys.enabledMask(g);
  }

  isDone(k: number, q: number): boolean {
    return this.sys.isDone(this.states[k], q);
  }

  footprint(k: number, q: number): Footprint {
    return this.sys.footprint(this.states[k], q);
  }

  check(k: number, enabled: number): readonly Found[] {
    return this.sys.check(this.states[k], enabled);
  }
}
