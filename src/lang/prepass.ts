import { ModelError, StepError, errorMessage } from '../core/errors.js';
import type { Program } from '../core/model.js';
import { pcIndex, type Step } from '../core/step.js';
import { LockDisciplineError } from './discipline.js';
import { LayoutError } from './domain.js';

/**
 * The pre-pass a compiled language model gets before any search (`Program.precheck`, run by
 * `instantiate`): the threads are run ONE AT A TIME, each alone until it stops (blocks, spins
 * alone without changing anything, or ends), in every order — a search over non-preemptive
 * schedules, breadth first: first every thread alone from the initial state, then each after one
 * other stopped, and so on. Every step it runs checks what the search would: the lock discipline
 * (src/lang/discipline.ts), domains, fields and array indices (src/lang/domain.ts, layout.ts),
 * declared `uses`, the dead-end walk (src/lang/compile.ts) — and any other throw of a step.
 *
 * Every run is a real execution of the whole program (a schedule that switches threads only
 * where one stops), so every error found here is one the search could reach: a model the
 * pre-pass refuses is broken, never a false alarm. What it cannot see is a step reached only
 * when a thread is preempted between two steps that can both run (a reader that sees a writer's
 * intermediate store): such an error is still found by the search, when it first runs the step,
 * as the same kind of one-line model error. A step that raises a BUG ends that execution (as in
 * the search). After `maxStates` states without an error the pre-pass stops looking (counts,
 * never time: the result is deterministic).
 */
export interface PrepassOptions {
  /** States visited at most, runs alone and configurations together (default 20,000). */
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
  /** States visited: those of the runs alone (a thread's pc and locals, the shared state) and the configurations where they stopped. */
  readonly states: number;
  /** Whether `maxStates` cut it short. */
  readonly cut: boolean;
  /** Compiled steps (pcs of all threads) it ran at least once, and how many there are. */
  readonly ran: number;
  readonly steps: number;
}

export function prepass(p: Program, opts: PrepassOptions = {}): PrepassReport {
  const run = new Prepass(p, opts.maxStates ?? PREPASS_MAX_STATES);
  return run.all();
}

/** Every thread's pc and locals and the shared state, where every thread is stopped (or at the start). */
interface Config {
  readonly s: unknown;
  readonly pc: readonly number[];
  readonly l: readonly unknown[];
  /** The threads run, in turn, to get here (for the error's context). */
  readonly via: readonly number[];
}

class Prepass {
  private states = 0;
  private cut = false;
  /** Per thread: the stop of its run alone from each state it passed through (null: no stop). */
  private readonly stopOf: Map<string, Solo | null>[];
  private readonly configs = new Set<string>();
  /** `tid pc` of every step it ran. */
  private readonly ran = new Set<string>();

  constructor(
    private readonly p: Program,
    private readonly max: number,
  ) {
    this.stopOf = p.threads.map(() => new Map<string, Solo | null>());
  }

  all(): PrepassReport {
    const threads = this.p.threads;
    const init: Config = {
      s: this.p.init,
      pc: threads.map(() => 0),
      l: threads.map((t): unknown => t.locals),
      via: [],
    };
    const queue: Config[] = [init];
    this.configs.add(configKey(init));
    for (let i = 0; i < queue.length && !this.cut; i++) {
      const c = queue[i];
      for (let tid = 0; tid < threads.length && !this.cut; tid++) {
        if (c.pc[tid] >= threads[tid].steps.length) continue;
        const stop = this.alone(tid, { s: c.s, pc: c.pc[tid], l: c.l[tid] }, c.via);
        if (stop === null) continue;
        const next: Config = {
          s: stop.s,
          pc: c.pc.map((x, i) => (i === tid ? stop.pc : x)),
          l: c.l.map((x, i) => (i === tid ? stop.l : x)),
          via: [...c.via, tid],
        };
        const key = configKey(next);
        if (this.configs.has(key)) continue;
        if (!this.count()) break;
        this.configs.add(key);
        queue.push(next);
      }
    }
    const steps = threads.reduce((n, t) => n + t.steps.length, 0);
    return { states: this.states, cut: this.cut, ran: this.ran.size, steps };
  }

  /** One more state within the bound; false (and cut) when the bound is reached. */
  private count(): boolean {
    if (this.states >= this.max) {
      this.cut = true;
      return false;
    }
    this.states++;
    return true;
  }

  /**
   * Run thread `tid` alone from `x` until it stops: the state where it blocks, ends, or comes
   * back to a state it passed (spinning alone). Null when it ends the execution (a BUG, a jump
   * the search refuses), when the bound cuts it, or when it cannot move at all.
   */
  private alone(tid: number, x0: Solo, via: readonly number[]): Solo | null {
    const t = this.p.threads[tid];
    const memo = this.stopOf[tid];
    const path: string[] = [];
    const onPath = new Set<string>();
    let x = x0;
    let stop: Solo | null = null;
    for (;;) {
      const key = JSON.stringify([x.pc, x.l, x.s]);
      const known = memo.get(key);
      if (known !== undefined) {
        stop = known;
        break;
      }
      if (onPath.has(key)) {
        stop = x; // spinning alone: it stops here until another thread changes something
        break;
      }
      if (!this.count()) return null;
      path.push(key);
      onPath.add(key);
      const st = t.steps[x.pc];
      if (st === undefined || !this.call(tid, st, via, () => (st.guard ? st.guard(x.s, x.l, tid) : true))) {
        stop = x;
        break;
      }
      const next = this.step(tid, st, x, via);
      if (next === null) break;
      x = next;
    }
    for (const k of path) memo.set(k, stop);
    return stop === null || (stop.pc === x0.pc && stop.l === x0.l && stop.s === x0.s) ? null : stop;
  }

  /** The thread's state after step `st` runs from `x`; null when the execution ends there. */
  private step(tid: number, st: Step, x: Solo, via: readonly number[]): Solo | null {
    const t = this.p.threads[tid];
    this.ran.add(`${tid} ${x.pc}`);
    const r = this.call(tid, st, via, () => st.run(x.s, x.l, tid));
    if (!r || typeof r !== 'object' || r.violation) return null; // a BUG ends the execution
    const pc =
      r.goto === undefined
        ? x.pc + 1
        : typeof r.goto === 'number'
          ? pcIndex(r.goto, t.steps.length)
          : r.goto === 'exit'
            ? t.steps.length
            : t.steps.findIndex((q) => q.name === r.goto);
    if (pc === undefined || pc < 0) return null; // the search names a bad jump itself
    return { s: r.s === undefined ? x.s : r.s, pc, l: r.l === undefined ? x.l : r.l };
  }

  /** Call model code for a step; a throw becomes a StepError naming the thread, the step and how it was reached. */
  private call<T>(tid: number, st: Step, via: readonly number[], f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw this.located(tid, st, via, e);
    }
  }

  private located(tid: number, st: Step, via: readonly number[], e: unknown): ModelError {
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
    const names = via.map((u) => `'${this.p.threads[u].name}'`).join(', ');
    const how =
      via.length === 0
        ? ''
        : via.length === 1
          ? ` (after ${names} ran alone until it stopped)`
          : ` (after ${names} ran alone in turn, each until it stopped)`;
    return new StepError(name, e instanceof StepError ? e.step : st.label, base + how, code);
  }
}

const configKey = (c: Config): string => JSON.stringify([c.pc, c.l, c.s]);
