import { System } from '../../system/system.js';
import type { Footprint, TransitionSystem } from '../../system/transition.js';
import type { Ev } from './wakeup-tree.js';

const NO_FOOTPRINT: Footprint = [];

/**
 * The current execution E of the optimal DPOR search (Abdulla et al., JACM 2017: an execution
 * sequence E = e_1 ... e_K), one array per field. Frame k (0..K) is the state after the prefix
 * e_1 ... e_k; event k (1..K) is the step e_k from frame k-1 to frame k. Happens-before on E
 * (→_E) is kept as vector clocks. Thread sets are bit masks over thread ids.
 */
export class Execution<S = unknown> {
  /** Number of threads. */
  readonly n: number;

  // ---- Frame k: the state after e_1 ... e_k.
  /** The state s_[E'] after the prefix E' = e_1 ... e_k. */
  readonly state: S[] = [];
  /** Threads whose next step can run at frame k (none at a halted frame). */
  readonly enabled: number[] = [];
  /** Threads finished at frame k. */
  readonly finished: number[] = [];
  /** Event k raised an assertion: the execution ends at frame k and nothing runs there. */
  readonly halted: boolean[] = [];
  /**
   * Footprint of each thread's next step at frame k (next_[E'](p) in the paper; empty for a
   * finished thread, and for the halting thread at a halted frame). A blocked thread's footprint
   * is that of its pending step, its guard's reads included.
   */
  readonly nextFootprint: Footprint[][] = [];

  // ---- Event k: the step e_k from frame k-1 to frame k.
  /** The thread of event k (proc(e_k)). */
  readonly thread: number[] = [];
  /** The footprint of event k, computed at frame k-1 (the dependence relation reads it). */
  readonly footprint: Footprint[] = [];
  /**
   * Vector clock of event k: clock[k][q] is the index of the last event of thread q that
   * happens before event k (→_E), or is event k; 0 for none.
   */
  readonly clock: Int32Array[] = [];
  /** The previous event of the same thread (0 for none). */
  readonly previous: number[] = [];
  /** The clock of a thread with no event yet: all zeros. */
  readonly noClock: Int32Array;

  constructor(readonly sys: TransitionSystem<S>) {
    this.n = sys.n;
    this.noClock = new Int32Array(sys.n);
  }

  /**
   * Record frame k: state g (halted: event k raised an assertion and ended the execution, nothing
   * runs). At a halted frame the halting thread has no next step: the system moved its pc past
   * the step but dropped the step's effects (its locals too), so the step at that pc is one no
   * execution reaches, and its footprint may not even be defined there (mprotect's
   * `wait_on_page_locked` in rmap-vs-vma-adjust, with the folio local never set). The other
   * threads' next steps are pending events that depend on the halting one.
   */
  frame(k: number, g: S, halted: boolean): void {
    const { sys } = this;
    this.state[k] = g;
    this.halted[k] = halted;
    this.enabled[k] = halted ? 0 : sys.enabledMask(g);
    this.finished[k] = sys.doneMask(g);
    const halter = halted ? this.thread[k] : -1;
    const nf: Footprint[] = (this.nextFootprint[k] ??= []);
    for (let q = 0; q < this.n; q++) nf[q] = q === halter || sys.isDone(g, q) ? NO_FOOTPRINT : sys.footprint(g, q);
  }

  /** Record event k: thread p's step with footprint F, after events 1..k-1. */
  push(k: number, p: number, F: Footprint): void {
    this.thread[k] = p;
    this.footprint[k] = F;
    const prev = this.lastOf(p, k - 1);
    this.previous[k] = prev;
    const c = (this.clock[k] ??= new Int32Array(this.n));
    c.set(prev > 0 ? this.clock[prev] : this.noClock);
    for (let j = k - 1; j >= 1; j--) {
      if (c[this.thread[j]] >= j || !System.dependent(this.footprint[j], F)) continue;
      const o = this.clock[j];
      for (let q = 0; q < this.n; q++) if (o[q] > c[q]) c[q] = o[q];
    }
    c[p] = k;
  }

  /** Index of thread q's last event among 1..upto (0 for none). */
  lastOf(q: number, upto: number): number {
    for (let j = upto; j >= 1; j--) if (this.thread[j] === q) return j;
    return 0;
  }

  /** Event i happens before event j (i < j). */
  hb(i: number, j: number): boolean {
    return this.clock[j][this.thread[i]] >= i;
  }

  schedule(k: number): number[] {
    return this.thread.slice(1, k + 1);
  }

  /**
   * Whether thread `tid`'s next step at frame `at` has a guard, so that a reversal ending with
   * it might not run. (The other events of a reversal are independent of the step they were
   * reordered with, which leaves them enabled.)
   */
  guarded(at: number, tid: number): boolean {
    return this.sys.hasGuard(this.state[at], tid);
  }

  /**
   * Run events `v` (indices into this execution), then a step of thread `last`, from frame m.
   * Returns the sequence with the footprints computed on the way (and whether the last step
   * raises an assertion), or null when some step is
   * blocked, its thread finished, or an event before the last raised an assertion.
   */
  replay(m: number, v: readonly number[], last: number): Ev[] | null {
    const { sys } = this;
    let g = this.state[m];
    const out: Ev[] = [];
    for (const j of v) {
      const tid = this.thread[j];
      if (!sys.enabled(g, tid)) return null;
      out.push({ tid, foot: sys.footprint(g, tid) });
      const ex = sys.exec(g, tid);
      if (ex.violation) return null;
      g = ex.g;
    }
    if (!sys.enabled(g, last)) return null;
    const foot = sys.footprint(g, last);
    out.push({ tid: last, foot, halts: !!sys.exec(g, last).violation });
    return out;
  }
}
