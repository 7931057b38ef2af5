import type { Execution } from './odpor-execution.js';
import { System, type Footprint } from '../../system/system.js';
import type { Ev } from './wakeup-tree.js';

/** A race to reverse: from frame `before` (the state before e), run events `v`, then `last`. */
export interface Race {
  readonly before: number;
  readonly v: readonly number[];
  readonly last: Ev;
  /** The sequence with the footprints a replay computed, when reversibility needed a replay. */
  readonly replayed: readonly Ev[] | null;
}

/**
 * The races of the execution ending at frame K (Abdulla et al. 2017, Algorithm 2, line 4),
 * reported to `found`:
 *  - for every event e' (event j), each event e of another thread that happens immediately
 *    before it, with v = notdep(e, E): the events after e that do not happen after it;
 *  - for every thread blocked at some frame k (its guard false, or an assertion halted the
 *    execution at K), its pending next step against the events 1..k in the same way, with
 *    notdep taken up to k, and again over the whole execution when that is longer
 *    (wholeExecution). A pending step is analysed where its blocking starts and wherever a
 *    new dependent event arrives before it (its immediate predecessors change only there).
 *
 * Blocking: a race whose reversal cannot run (e' is blocked after notdep(e, E) — the unlock
 * before a lock acquire) is no race; the search looks through it to the dependent events before
 * it (the previous acquire of the lock), as if it were not there. Without guards every race
 * can be reversed and this is the paper's immediate-race relation. A halting event (an
 * assertion at K) is dependent on every pending step and is never part of a v it does not end.
 */
export function reversibleRaces(E: Execution, K: number, found: (r: Race) => void): void {
  const halted = E.halted[K];
  for (let j = 1; j <= K; j++) {
    const q = E.thread[j];
    const prev = E.previous[j];
    races(
      E,
      { tid: q, foot: E.footprint[j] },
      j - 1,
      j - 1,
      prev > 0 ? E.clock[prev] : E.noClock,
      K,
      halted && K !== j ? K : 0,
      0,
      found,
    );
  }
  for (let k = 0; k <= K; k++) {
    const haltedHere = halted && k === K;
    const blocked = haltedHere ? ~E.finished[k] & ~(1 << E.thread[K]) : ~E.enabled[k] & ~E.finished[k];
    for (let q = 0; q < E.n; q++) {
      if ((blocked & (1 << q)) === 0 || !newlyPending(E, k, q, haltedHere)) continue;
      const last = E.lastOf(q, k);
      races(
        E,
        { tid: q, foot: E.nextFootprint[k][q] },
        k,
        k,
        last > 0 ? E.clock[last] : E.noClock,
        k,
        haltedHere ? K : 0,
        haltedHere ? K : 0,
        found,
        K,
      );
    }
  }
}

/** Whether thread q's pending step at frame k may race with events not seen at k - 1. */
function newlyPending(E: Execution, k: number, q: number, haltedHere: boolean): boolean {
  if (k === 0 || haltedHere) return true;
  const wasBlocked = (E.enabled[k - 1] & (1 << q)) === 0 && (E.finished[k - 1] & (1 << q)) === 0;
  if (!wasBlocked || !sameFootprint(E.nextFootprint[k - 1][q], E.nextFootprint[k][q])) return true;
  return System.dependent(E.footprint[k], E.nextFootprint[k][q]);
}

/**
 * Races of step `e` (of thread e.tid, next at frame `at`, whose thread's past is the clock `past`) with events
 * 1..hi: walking back, an event not already known to happen before e that is dependent on it
 * (or is the halting event `haltAt`) is a race if its reversal can run — then its past is
 * covered — and is looked through otherwise. notdep is taken up to `upto`, minus `skip`.
 */
function races(
  E: Execution,
  e: Ev,
  at: number,
  hi: number,
  past: Int32Array,
  upto: number,
  skip: number,
  haltAt: number,
  found: (r: Race) => void,
  full = upto,
): void {
  const c = Int32Array.from(past);
  for (let i = hi; i >= 1; i--) {
    const t = E.thread[i];
    if (c[t] >= i || t === e.tid) continue;
    if (i !== haltAt && !System.dependent(E.footprint[i], e.foot)) continue;
    const v = notdep(E, i, upto, skip === i ? 0 : skip);
    let replayed: Ev[] | null = null;
    if (E.guarded(at, e.tid)) {
      replayed = E.replay(i - 1, v, e.tid);
      if (replayed === null) continue;
    }
    found({ before: i - 1, v, last: e, replayed });
    if (full > upto) wholeExecution(E, i, e, full, skip === i ? 0 : skip, v.length, found);
    const o = E.clock[i];
    for (let r = 0; r < E.n; r++) if (o[r] > c[r]) c[r] = o[r];
  }
}

/**
 * A pending step's race with event i, reversed with notdep taken over the whole execution (up
 * to `K`), as the paper does for an executed e', when that is longer than the reversal up to the
 * frame where the step is pending: the events after that frame stay in v. Without them a thread
 * whose step is independent of v but conflicts with one of them (a lock acquire) would count as
 * a weak initial of v, although its step may never run in the executions v stands for (found by
 * the property test: T0: v0 = 0; T1: await v0 == 1; T2: lock k; v0 = 0; T3: lock k — odpor
 * missed T3's lock, then T1's await, then T0's store).
 */
function wholeExecution(
  E: Execution,
  i: number,
  e: Ev,
  K: number,
  skip: number,
  shorter: number,
  found: (r: Race) => void,
): void {
  const v = notdep(E, i, K, skip);
  if (v.length === shorter) return;
  const replayed = E.replay(i - 1, v, e.tid);
  if (replayed !== null) found({ before: i - 1, v, last: e, replayed });
}

/** notdep(e_i, E up to `hi`): the events after i that do not happen after it (minus `skip`). */
function notdep(E: Execution, i: number, hi: number, skip: number): number[] {
  const out: number[] = [];
  for (let m = i + 1; m <= hi; m++) if (m !== skip && !E.hb(i, m)) out.push(m);
  return out;
}

function sameFootprint(a: Footprint, b: Footprint): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
