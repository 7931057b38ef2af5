import { ModelError, StepError, errorMessage } from '../core/errors.js';
import type { Program } from '../core/model.js';
import { pcIndex, type Step } from '../core/step.js';
import { LockDisciplineError } from './discipline.js';
import { LayoutError } from './domain.js';

/**
 * The pre-pass a compiled language model gets before any search (`Program.precheck`, run by
 * `instantiate`): every thread is run ALONE from the initial state, over every path its own
 * locals and branches allow, and then alone again from each state in which another thread,
 * run alone, stopped (blocked, or finished). Every step it runs checks what the search would:
 * the lock discipline (src/lang/discipline.ts), domains, fields and array indices (src/lang/
 * domain.ts, layout.ts), the dead-end walk (src/lang/compile.ts) — and any other throw of a step.
 *
 * Each run is a real execution prefix of the whole program (the other threads have not moved,
 * or one of them ran first), so every error found here is one the search could reach: a model
 * the pre-pass refuses is broken, never a false alarm. What it cannot see is a step reached only
 * when threads interleave (a reader's code after it waited for a writer that stopped part-way):
 * such an error is still found by the search, when it first runs the step, as the same kind of
 * one-line model error. The pre-pass stops where a step raises a BUG (the execution ends there,
 * as in the search), and after `maxStates` states without an error it stops looking (counts,
 * never time: the result is deterministic).
 */
export interface PrepassOptions {
  /** States visited at most, over all threads' runs (default 20,000). */
  readonly maxStates?: number;
}

export const PREPASS_MAX_STATES = 20_000;

interface Solo {
  readonly s: unknown;
  readonly pc: number;
  readonly l: unknown;
}

/** What the pre-pass saw; throws a StepError naming the thread and step on a model error. */
export interface PrepassReport {
  /** States visited (one thread's pc, locals and the shared state). */
  readonly states: number;
  /** Whether `maxStates` cut it short. */
  readonly cut: boolean;
}

export function prepass(p: Program, opts: PrepassOptions = {}): PrepassReport {
  const run = new Prepass(p, opts.maxStates ?? PREPASS_MAX_STATES);
  return run.all();
}

class Prepass {
  private states = 0;
  private cut = false;
  /** Per thread: the (pc, locals, shared state) keys it visited. */
  private readonly seen: Set<string>[];
  /** Per thread: where its solo runs stopped, for the others to start from (first round only). */
  private readonly stops: Map<string, Solo>[];

  constructor(
    private readonly p: Program,
    private readonly max: number,
  ) {
    this.seen = p.threads.map(() => new Set<string>());
    this.stops = p.threads.map(() => new Map<string, Solo>());
  }

  all(): PrepassReport {
    const threads = this.p.threads;
    const init: unknown = this.p.init;
    threads.forEach((_t, tid) => this.explore(tid, init, undefined));
    // Each thread again, after one other thread ran alone to where it stopped.
    threads.forEach((_t, tid) =>
      threads.forEach((_u, uid) => {
        if (uid === tid) return;
        for (const stop of this.stops[uid].values()) this.explore(tid, stop.s, { uid, stop });
      }),
    );
    return { states: this.states, cut: this.cut };
  }

  /** Every state thread `tid` reaches alone from shared state `s0`, at its start. */
  private explore(tid: number, s0: unknown, after: { uid: number; stop: Solo } | undefined): void {
    const t = this.p.threads[tid];
    const stack: Solo[] = [{ s: s0, pc: 0, l: t.locals }];
    const record = after === undefined;
    while (stack.length > 0) {
      const x = stack.pop()!;
      const key = JSON.stringify([x.pc, x.l, x.s]);
      if (this.seen[tid].has(key)) continue;
      if (this.states >= this.max) {
        this.cut = true;
        return;
      }
      this.seen[tid].add(key);
      this.states++;
      const st = t.steps[x.pc];
      if (st === undefined || !this.call(tid, st, after, () => (st.guard ? st.guard(x.s, x.l, tid) : true))) {
        if (record) this.stops[tid].set(JSON.stringify(x.s), x);
        continue;
      }
      const r = this.call(tid, st, after, () => st.run(x.s, x.l, tid));
      if (!r || typeof r !== 'object' || r.violation) continue; // a BUG ends the execution
      const pc =
        r.goto === undefined
          ? x.pc + 1
          : typeof r.goto === 'number'
            ? pcIndex(r.goto, t.steps.length)
            : r.goto === 'exit'
              ? t.steps.length
              : t.steps.findIndex((q) => q.name === r.goto);
      if (pc === undefined || pc < 0) continue; // the search names a bad jump itself
      stack.push({ s: r.s === undefined ? x.s : r.s, pc, l: r.l === undefined ? x.l : r.l });
    }
  }

  /** Call model code for a step; a throw becomes a StepError naming the thread, the step and how it was reached. */
  private call<T>(tid: number, st: Step, after: { uid: number; stop: Solo } | undefined, f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw this.located(tid, st, after, e);
    }
  }

  private located(tid: number, st: Step, after: { uid: number; stop: Solo } | undefined, e: unknown): ModelError {
    const name = this.p.threads[tid].name;
    const base = e instanceof StepError ? e.what : errorMessage(e);
    const code =
      e instanceof ModelError
        ? e.code
        : e instanceof LockDisciplineError
          ? 'lock-discipline'
          : e instanceof LayoutError
            ? 'bad-model'
            : 'model-threw';
    const how =
      after === undefined
        ? ''
        : ` (with thread '${this.p.threads[after.uid].name}' run alone first, to ${this.where(after)})`;
    return new StepError(name, e instanceof StepError ? e.step : st.label, base + how, code);
  }

  private where(after: { uid: number; stop: Solo }): string {
    const st = this.p.threads[after.uid].steps[after.stop.pc];
    return st === undefined ? 'its end' : `'${st.label}'`;
  }
}
