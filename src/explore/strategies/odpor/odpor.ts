import { ModelError } from '../../../core/errors.js';
import { Budget } from '../../results/budget.js';
import { Recorder } from '../../system/check.js';
import { finish, guarded } from '../finish.js';
import { Execution } from './odpor-execution.js';
import { reversibleRaces, type Race } from './odpor-races.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../../results/result.js';
import { System } from '../../system/system.js';
import type { Footprint, TransitionSystem } from '../../system/transition.js';
import { asleepInitial, asleepInitialOfNotdep } from './odpor-sleep.js';
import { insertSequence, wakeupRoot, type WakeupNode } from './wakeup-tree.js';

const lowestBit = (m: number) => 31 - Math.clz32(m & -m);

/**
 * Optimal DPOR (Abdulla, Aronis, Jonsson, Sagonas: "Source Sets: A Foundation for Optimal
 * Dynamic Partial Order Reduction", JACM 64(4), 2017, Algorithm 2): a stateless search that
 * explores one execution per Mazurkiewicz trace of the model's maximal executions.
 *
 * Each state on the current path keeps a sleep set (threads whose next step was explored from
 * there already) and a wakeup tree (sequences still to explore from there, explored leftmost
 * first). At the end of each maximal execution E, every race e ⋖ e' of E (dependent steps of
 * different threads, e happening immediately before e') whose reversal can run is turned into
 * the sequence v = notdep(e, E).e' from the state before e, and v is inserted into that state's
 * wakeup tree unless a sleeping thread is a weak initial of v (the reversal was explored).
 *
 * Dependence is the stateful DPOR's: footprints (a location touched by both, written by one),
 * with the virtual visibility location written by every step that writes what an invariant
 * reads. Blocking: a step whose guard is false (a lock held, an await) is a pending event of its
 * thread; its races with the path are reversed like executed ones (a pending lock acquire races
 * with the holder's acquire), and a reversal whose steps cannot all run is dropped. A step that
 * raises an assertion ends the execution: the other threads' next steps are pending events
 * that depend on it.
 *
 * Finite executions only: a state repeated on the current path (a cycle: the model has infinite
 * executions) is an error, not a pass; a depth limit makes the result incomplete.
 */
export interface OdporOptions extends SearchOptions {
  /** Called with the schedule of every execution the search ends (maximal, halted or sleep-blocked). */
  readonly onExecution?: (schedule: readonly number[], end: 'maximal' | 'sleep-blocked') => void;
}

export function searchOdpor<S>(sys: TransitionSystem<S>, opts: OdporOptions = {}): SearchResult {
  return guarded(() => new Odpor(sys, opts).run());
}

class Odpor<S> {
  private readonly budget: Budget;
  private readonly rec: Recorder;
  /** The current execution E: its frames, events and happens-before. */
  private readonly execution: Execution<S>;
  /** sleep(E') at frame k: threads whose next step from there was explored already. */
  private readonly sleep: number[] = [];
  /** Threads whose next step at frame k is known to raise an assertion (explored or asleep). */
  private readonly halts: number[] = [];
  /** wut(E') at frame k: the wakeup tree of sequences still to explore from there. */
  private readonly wakeup: WakeupNode[] = [];
  /** Frame k's state fingerprint in `onPath` ('' for a halted frame, which is not entered). */
  private readonly pathKey: string[] = [];
  /** The states on the current path, by fingerprint, to their frame (a repeat is a cycle). */
  private readonly onPath = new Map<string, number>();
  private executions = 0;
  private sleepBlocked = 0;
  private visited = 0;
  private truncated = false;

  constructor(
    private readonly sys: TransitionSystem<S>,
    private readonly opts: OdporOptions,
  ) {
    this.budget = new Budget(opts, opts.onProgress);
    this.rec = new Recorder(sys, opts.stopAtFirst ?? true);
    this.execution = new Execution(sys);
  }

  run(): SearchResult {
    this.halts[0] = 0;
    if (this.enter(0, this.sys.initial(), 0, wakeupRoot(), false)) return this.result(null);
    let k = 0;
    let stopped: IncompleteReason | null = null;
    while (k >= 0) {
      const todo = this.wakeup[k].children;
      if (todo.length === 0) {
        k = this.leave(k);
        continue;
      }
      stopped = this.budget.tick(this.visited, k + 1, k);
      if (stopped) break;
      const next = todo[0];
      if ((this.execution.enabled[k] & (1 << next.tid)) === 0)
        throw new Error(`odpor: wakeup tree schedules blocked thread ${next.tid} at depth ${k}`);
      if (this.descend(k, next)) return this.result(null);
      k++;
    }
    return this.result(stopped ?? (this.truncated ? 'max-depth' : null));
  }

  private result(stopped: IncompleteReason | null): SearchResult {
    const extra = { executions: this.executions, sleepBlocked: this.sleepBlocked, collisionBound: undefined };
    return finish(this.rec, stopped, this.budget.stats('odpor', this.visited, 0, extra));
  }

  /** Run the first wakeup-tree child of frame k; returns true when the search must stop. */
  private descend(k: number, next: WakeupNode): boolean {
    const { sys, execution: E } = this;
    const p = next.tid;
    const F = E.nextFootprint[k][p];
    const ex = sys.exec(E.state[k], p);
    E.push(k + 1, p, F);
    const sleep = this.childSleep(k, p, F);
    if (ex.violation) {
      next.halts = true;
      this.halts[k] |= 1 << p;
    }
    this.halts[k + 1] = this.halts[k] & sleep;
    if (ex.violation && this.rec.record([{ ...ex.violation, kind: 'assertion' }], () => E.schedule(k + 1))) return true;
    return this.enter(k + 1, ex.g, sleep, next, !!ex.violation);
  }

  /** Threads asleep at k whose next step is independent of p's stay asleep after it. */
  private childSleep(k: number, p: number, F: Footprint): number {
    let cand = this.sleep[k] & ~(1 << p);
    let out = 0;
    while (cand !== 0) {
      const q = lowestBit(cand);
      cand &= cand - 1;
      if (!System.dependent(this.execution.nextFootprint[k][q], F)) out |= 1 << q;
    }
    return out;
  }

  /**
   * Enter frame k (state g): check its properties; at the end of an execution (nothing enabled,
   * halted by an assertion, or every enabled thread asleep) analyse its races; otherwise make
   * sure the wakeup tree has something to explore. Returns true when the search must stop.
   */
  private enter(k: number, g: S, sleep: number, node: WakeupNode, halted: boolean): boolean {
    const { sys, execution: E } = this;
    this.visited++;
    E.frame(k, g, halted);
    this.sleep[k] = sleep;
    this.wakeup[k] = node;
    this.pathKey[k] = '';
    if (halted) {
      node.children.length = 0;
      this.ended(k, 'maximal');
      return false;
    }
    this.enterPath(k, g);
    const en = E.enabled[k];
    if (this.rec.record(sys.check(g, en), () => E.schedule(k))) return true;
    if (en === 0) {
      this.ended(k, 'maximal');
      return false;
    }
    if (k >= this.budget.depthLimit) {
      this.truncated = true;
      node.children.length = 0;
      return false;
    }
    if (node.children.length > 0) return false;
    const free = en & ~sleep;
    if (free === 0) {
      this.ended(k, 'sleep-blocked');
      return false;
    }
    const p = lowestBit(free);
    node.children.push({ tid: p, foot: E.nextFootprint[k][p], children: [] });
    return false;
  }

  /** An execution ends at frame k: count it and analyse its races. */
  private ended(k: number, end: 'maximal' | 'sleep-blocked'): void {
    if (end === 'maximal') this.executions++;
    else this.sleepBlocked++;
    this.opts.onExecution?.(this.execution.schedule(k), end);
    this.analyse(k);
  }

  /** Leave frame k: the parent marks the thread explored (asleep) and drops its branch. */
  private leave(k: number): number {
    if (this.pathKey[k] !== '') this.onPath.delete(this.pathKey[k]);
    if (k === 0) return -1;
    const p = this.execution.thread[k];
    this.sleep[k - 1] |= 1 << p;
    this.wakeup[k - 1].children.shift();
    return k - 1;
  }

  /** A state already on the current path: the model has an infinite execution. */
  private enterPath(k: number, g: S): void {
    const fp = this.sys.fingerprint(g);
    const key = `${fp[0]},${fp[1]}`;
    const at = this.onPath.get(key);
    if (at !== undefined) {
      const sched = this.execution.schedule(k).join('.');
      throw new ModelError(
        `odpor explores finite executions only, but model '${this.sys.inst.model.name}' has a cycle: ` +
          `the state at depth ${k} (schedule ${sched}) repeats the one at depth ${at}; use --strategy dfs`,
        'cyclic-model',
      );
    }
    this.onPath.set(key, k);
    this.pathKey[k] = key;
  }

  /** Races of the execution ending at frame K: insert each reversal that is not yet covered. */
  private analyse(K: number): void {
    reversibleRaces(this.execution, K, (race) => this.reverse(race));
  }

  /**
   * Insert v = notdep(e, E).e' into the wakeup tree of the state before e, unless a sleeping
   * thread there is a weak initial of v (the reversal was explored). Footprints may depend on
   * the state, and e' runs in v before the step it depended on: v is replayed from that state
   * for the footprints its steps have there (odpor-sleep.ts), except when the recorded
   * footprints of notdep(e, E) decide the sleep test exactly.
   */
  private reverse(race: Race): void {
    const m = race.before;
    const halts = this.halts[m] & this.sleep[m];
    let seq = race.replayed;
    if (seq === null) {
      if (asleepInitialOfNotdep(this.execution, m, this.sleep[m], halts, race.v, race.last.tid)) return;
      seq = this.execution.replay(m, race.v, race.last.tid);
      if (seq === null) return;
    }
    if (asleepInitial(this.execution, m, this.sleep[m], halts, seq)) return;
    insertSequence(this.wakeup[m], seq);
  }
}
