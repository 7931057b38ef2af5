import type { Execution } from './odpor-execution.js';
import { System } from '../../system/system.js';
import { afterWeakInitial, type Ev } from './wakeup-tree.js';

const lowestBit = (m: number) => 31 - Math.clz32(m & -m);

/**
 * The sleep-set test of a reversal (Abdulla et al., JACM 2017, Algorithm 2, line 6): whether a
 * thread asleep at frame m — explored from there already — is a weak initial of the sequence v
 * to insert (then the reversal was explored).
 *
 * Footprints may depend on the state, so every footprint must be the one the step has where it
 * runs in v. `seq` must come from a replay of v from frame m (Execution.replay); the footprints
 * recorded in the current execution are wrong for the last event, which v moves before a step
 * it depended on (issue 11: `if (x1 == 1) x2 = 1` recorded after `x1 = 3` reads x1 only, but
 * reordered before it also writes x2). `asleep` is the thread set, `halts` those whose next step
 * at m raises an assertion.
 */
export function asleepInitial(E: Execution, m: number, asleep: number, halts: number, seq: readonly Ev[]): boolean {
  let s = asleep;
  while (s !== 0) {
    const q = lowestBit(s);
    s &= s - 1;
    if (afterWeakInitial({ tid: q, foot: E.nextFootprint[m][q], halts: (halts & (1 << q)) !== 0 }, seq) !== null)
      return true;
  }
  return false;
}

/**
 * The same test for v = notdep · e' (events `notdep` of the current execution, then the next
 * step of thread p) without replaying it, where the recorded footprints decide it exactly; false
 * when they do not (the caller then replays v). The footprints of notdep are exact in v: v's
 * prefix is the current execution with e and the events after it moved out by swaps of adjacent
 * independent steps, which keep every footprint (a footprint is a function of the values of the
 * locations it names, and an independent step writes none of them). Only e' can change. So:
 *  - a thread q with an event in notdep is an initial of v iff its first one there has no
 *    dependent predecessor in notdep: exact, e' comes last;
 *  - p's step e' (p with no event in notdep) is an initial iff p's next step at m is independent
 *    of every event of notdep: then notdep leaves its footprint unchanged (so e' has it), and if
 *    it depended on one, e' would too (were e' independent of all of notdep, swapping it back to
 *    m would keep its footprint, which would then be independent of them);
 *  - a thread absent from v is a weak initial iff it is independent of notdep and of e'. The
 *    footprint of e' is known only in the case above (p an initial of v: p's footprint at m);
 *    otherwise this is undecided here.
 * A step that raises an assertion is a weak initial only of itself (see afterWeakInitial).
 */
export function asleepInitialOfNotdep(
  E: Execution,
  m: number,
  asleep: number,
  halts: number,
  notdep: readonly number[],
  p: number,
): boolean {
  const n = notdep.length;
  /** e''s footprint in v when p is an initial of v (null: not known without a replay). */
  const last =
    firstOf(E, notdep, p) < 0 && !dependentBefore(E, notdep, n, E.nextFootprint[m][p]) ? E.nextFootprint[m][p] : null;
  let s = asleep;
  while (s !== 0) {
    const q = lowestBit(s);
    s &= s - 1;
    const halting = (halts & (1 << q)) !== 0;
    const x = firstOf(E, notdep, q);
    if (x >= 0) {
      if (!halting && !dependentBefore(E, notdep, x, E.footprint[notdep[x]])) return true;
    } else if (q === p) {
      if (halting ? n === 0 : last !== null) return true;
    } else if (!halting && last !== null) {
      const Q = E.nextFootprint[m][q];
      if (!System.dependent(Q, last) && !dependentBefore(E, notdep, n, Q)) return true;
    }
  }
  return false;
}

function firstOf(E: Execution, notdep: readonly number[], q: number): number {
  for (let x = 0; x < notdep.length; x++) if (E.thread[notdep[x]] === q) return x;
  return -1;
}

/** Some event notdep[0..x-1] is dependent on footprint F. */
function dependentBefore(E: Execution, notdep: readonly number[], x: number, F: readonly number[]): boolean {
  for (let y = 0; y < x; y++) if (System.dependent(E.footprint[notdep[y]], F)) return true;
  return false;
}
