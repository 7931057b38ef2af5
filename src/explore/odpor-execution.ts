import { System } from './system.js';
import type { Footprint, TransitionSystem } from './transition.js';
import type { Ev } from './wakeup-tree.js';

const NO_FOOTPRINT: Footprint = [];

/**
 * The current execution of the optimal DPOR search: frames 0..K (the state after each prefix,
 * its enabled threads and every unfinished thread's next-step footprint) and events 1..K (the
 * thread and footprint of the step from frame k-1 to frame k, with a vector clock for
 * happens-before: TC[k][q] is the index of the last event of thread q that happens before or
 * is event k; 0 for none).
 */
export class Execution<S = unknown> {
  readonly n: number;
  readonly G: S[] = [];
  readonly EN: number[] = [];
  readonly DONE: number[] = [];
  readonly HALTED: boolean[] = [];
  readonly NF: Footprint[][] = [];
  readonly TT: number[] = [];
  readonly TF: Footprint[] = [];
  readonly TC: Int32Array[] = [];
  /** The previous event of the same thread (0 for none). */
  readonly PREV: number[] = [];
  readonly zero: Int32Array;

  constructor(readonly sys: TransitionSystem<S>) {
    this.n = sys.n;
    this.zero = new Int32Array(sys.n);
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
    this.G[k] = g;
    this.HALTED[k] = halted;
    this.EN[k] = halted ? 0 : sys.enabledMask(g);
    this.DONE[k] = sys.doneMask(g);
    const halter = halted ? this.TT[k] : -1;
    const nf: Footprint[] = (this.NF[k] ??= []);
    for (let q = 0; q < this.n; q++) nf[q] = q === halter || sys.isDone(g, q) ? NO_FOOTPRINT : sys.footprint(g, q);
  }

  /** Record event k: thread p's step with footprint F, after events 1..k-1. */
  push(k: number, p: number, F: Footprint): void {
    this.TT[k] = p;
    this.TF[k] = F;
    const prev = this.lastOf(p, k - 1);
    this.PREV[k] = prev;
    const c = (this.TC[k] ??= new Int32Array(this.n));
    c.set(prev > 0 ? this.TC[prev] : this.zero);
    for (let j = k - 1; j >= 1; j--) {
      if (c[this.TT[j]] >= j || !System.dependent(this.TF[j], F)) continue;
      const o = this.TC[j];
      for (let q = 0; q < this.n; q++) if (o[q] > c[q]) c[q] = o[q];
    }
    c[p] = k;
  }

  /** Index of thread q's last event among 1..upto (0 for none). */
  lastOf(q: number, upto: number): number {
    for (let j = upto; j >= 1; j--) if (this.TT[j] === q) return j;
    return 0;
  }

  /** Event i happens before event j (i < j). */
  hb(i: number, j: number): boolean {
    return this.TC[j][this.TT[i]] >= i;
  }

  schedule(k: number): number[] {
    return this.TT.slice(1, k + 1);
  }

  /**
   * Whether thread `tid`'s next step at frame `at` has a guard, so that a reversal ending with
   * it might not run. (The other events of a reversal are independent of the step they were
   * reordered with, which leaves them enabled.)
   */
  guarded(at: number, tid: number): boolean {
    return this.sys.hasGuard(this.G[at], tid);
  }

  /**
   * Run events `v` (indices into this execution), then a step of thread `last`, from frame m.
   * Returns the sequence with the footprints computed on the way (and whether the last step
   * raises an assertion), or null when some step is
   * blocked, its thread finished, or an event before the last raised an assertion.
   */
  replay(m: number, v: readonly number[], last: number): Ev[] | null {
    const { sys } = this;
    let g = this.G[m];
    const out: Ev[] = [];
    for (const j of v) {
      const tid = this.TT[j];
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
