import type { PropertyKind } from '../../core/property.js';
import { DEADLOCK_FREE, verdictOf } from '../../core/property.js';
import type { GState, System } from './system.js';
import type { Violation } from '../results/result.js';
import type { TransitionSystem } from './transition.js';

/** A property found violated at a state, before its trace is built. */
export interface Found {
  readonly property: string;
  readonly kind: PropertyKind;
  readonly message: string;
}

const NONE: readonly Found[] = [];

/**
 * The properties of one state: invariants always; end-state properties when every thread has
 * finished; deadlock freedom when some thread has not and none can move.
 */
export function checkState(sys: System, g: GState, enabled: number): readonly Found[] {
  let out: Found[] | undefined;
  if (sys.invariants.length > 0) {
    const v = sys.view(g);
    for (const p of sys.invariants) {
      const msg = verdictOf(sys.inst.model.name, p, v);
      if (msg !== null) (out ??= []).push({ property: p.name, kind: 'invariant', message: msg });
    }
  }
  if (enabled === 0) {
    if (sys.doneMask(g) === sys.allDone) {
      if (sys.ends.length > 0) {
        const v = sys.view(g);
        for (const p of sys.ends) {
          const msg = verdictOf(sys.inst.model.name, p, v);
          if (msg !== null) (out ??= []).push({ property: p.name, kind: 'end', message: msg });
        }
      }
    } else if (sys.checkDeadlock) {
      (out ??= []).push({ property: DEADLOCK_FREE, kind: 'deadlock', message: deadlockMessage(sys, g) });
    }
  }
  return out ?? NONE;
}

export function deadlockMessage<S>(sys: TransitionSystem<S>, g: S): string {
  const waits: string[] = [];
  for (let tid = 0; tid < sys.n; tid++)
    if (!sys.isDone(g, tid)) waits.push(`${sys.names[tid]} blocked at '${sys.label(g, tid)}'`);
  return `deadlock: ${waits.join('; ')}`;
}

/**
 * Collects violations for a search: the first one only (stopAtFirst), or the first of each
 * property. Traces are rebuilt from the schedule by replay, so searches store no traces.
 */
export class Recorder {
  readonly violations: Violation[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly sys: Pick<
      TransitionSystem<unknown>,
      'invariants' | 'ends' | 'assertions' | 'checkDeadlock' | 'trace'
    >,
    readonly stopAtFirst: boolean,
  ) {}

  /** Names of the properties the search checks. */
  get checked(): string[] {
    const { sys } = this;
    return [...sys.invariants, ...sys.ends]
      .map((p) => p.name)
      .concat([...sys.assertions], sys.checkDeadlock ? [DEADLOCK_FREE] : []);
  }

  /** Record what was found; returns true when the search should stop. */
  record(found: readonly Found[], schedule: () => number[]): boolean {
    for (const f of found) {
      if (this.seen.has(f.property)) continue;
      if (f.kind === 'assertion' && !this.sys.assertions.has(f.property)) continue;
      this.seen.add(f.property);
      this.violations.push({ ...f, trace: this.sys.trace(schedule()) });
      if (this.stopAtFirst) return true;
    }
    return false;
  }

  get done(): boolean {
    return this.stopAtFirst && this.violations.length > 0;
  }
}
