/**
 * Observing the states a search visits, to compare the reachable deadlock and terminal states
 * of the reduced search with the naive one.
 *
 * How: the generated model carries an `observe` invariant that reads no shared location
 * (`reads: []`), so it makes no step visible and leaves the reduction unchanged, and that
 * reports every state view it is shown to a sink. Every search checks invariants once in each
 * state it discovers, so the sink sees exactly the states the search visited. For each one we
 * rebuild the global state (the pc is in the step label, see gen.ts) and ask the System which
 * threads are enabled: none enabled and all done = terminal; none enabled and some not done =
 * deadlock. Partial-order reduction must preserve both sets exactly (they are the "deadlocks" of
 * Godefroid's theory), so the reduced search must see the same ones as the naive search.
 */
import { canonical } from '../../src/core/fingerprint.js';
import type { Instance } from '../../src/core/instantiate.js';
import type { ExploreOptions, SearchStrategy } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { System, type GState } from '../../src/explore/system/system.js';
import { pcOf, type GenModel, type Sink } from './gen.js';
import { run } from './program.js';

/**
 * Per-search state bound (not a time limit: tests are bounded by counts, never by the clock). The
 * tiny generated models have at most a few thousand states; a search that stores more is a bug
 * in itself, and it ends incomplete, which the tests report. (odpor stores no states and ignores
 * it: its tests bound the trace count before running it.)
 */
export const MAX_STATES = 200_000;

export interface Observed {
  readonly result: SearchResult;
  /** Canonical text of every state the search checked. */
  readonly seen: Set<string>;
  readonly deadlocks: Set<string>;
  readonly terminals: Set<string>;
  /** Invariant checks (a state checked twice would count twice). */
  readonly checks: number;
  /** Every unfinished thread's state (threadKey) in the states the search checked. */
  readonly threads: Set<string>;
  /** The thread states (threadKey) whose next step's footprint the search asked for. */
  readonly asked: Set<string>;
}

/** A thread's pc and locals with the shared state: where its next step's footprint is defined. */
export const threadKey = (tid: number, pc: number, s: unknown, l: unknown): string => JSON.stringify([tid, pc, s, l]);

export function observeRun(
  m: GenModel,
  inst: Instance,
  sink: Sink,
  strategy: SearchStrategy,
  opts: ExploreOptions = {},
): Observed {
  const sys = new System(inst);
  const seen = new Set<string>();
  const deadlocks = new Set<string>();
  const terminals = new Set<string>();
  const threads = new Set<string>();
  const asked = new Set<string>();
  let checks = 0;
  sink.footprint = (tid, pc, s, l) => void asked.add(threadKey(tid, pc, s, l));
  sink.observe = (v) => {
    checks++;
    const key = canonical(v);
    if (seen.has(key)) return;
    seen.add(key);
    const g: GState = {
      s: v.s as unknown,
      t: v.threads.map((th, tid) => ({ pc: pcOf(m, tid, th.at), l: th.l as unknown })),
    };
    for (let tid = 0; tid < g.t.length; tid++)
      if (!v.threads[tid].done) threads.add(threadKey(tid, g.t[tid].pc, v.s, g.t[tid].l));
    if (sys.enabledMask(g) !== 0) return;
    if (v.threads.every((th) => th.done)) terminals.add(key);
    else deadlocks.add(key);
  };
  try {
    const result = run(inst, strategy, { stopAtFirst: false, maxStates: MAX_STATES, ...opts });
    return { result, seen, deadlocks, terminals, checks, threads, asked };
  } finally {
    sink.observe = null;
    sink.footprint = null;
  }
}

export function sorted(s: Set<string>): string[] {
  return [...s].sort();
}
