/**
 * Brute-force oracle for trace counts: enumerate every maximal execution of a model (every
 * interleaving, stateless, as the naive method would without its state table) and count the
 * classes of the Mazurkiewicz equivalence under the dependence relation the searches use
 * (System.dependent on footprints, visibility included; same-thread steps are ordered). Each
 * execution's class is named by its Foata normal form: events grouped by level (1 + the highest
 * level of an earlier event they depend on), each level sorted by thread.
 *
 * An execution is maximal when no thread can move, or when a step raised an assertion (which
 * ends it). Throws when there are more than `limit` executions or one longer than `maxDepth`.
 */
import type { Instance } from '../../src/core/instantiate.js';
import { System, type Footprint, type GState } from '../../src/explore/system.js';

export interface TraceCount {
  /** Maximal executions (interleavings). */
  readonly executions: number;
  /** Mazurkiewicz traces among them. */
  readonly traces: number;
}

export function countTraces(
  inst: Instance,
  properties?: readonly string[],
  limit = 2_000_000,
  maxDepth = 200,
): TraceCount {
  const classes = new Set<string>();
  let executions = 0;
  enumerateExecutions(
    new System(inst, properties),
    'countTraces',
    maxDepth,
    () => true,
    (tids, feet) => {
      if (++executions > limit) throw new Error(`countTraces: more than ${limit} executions`);
      classes.add(foata(tids, feet));
    },
  );
  return { executions, traces: classes.size };
}

/**
 * Every maximal execution whose every step `admit`s (given the prefix before it), depth first;
 * `maximal` sees each one's threads and footprints.
 */
function enumerateExecutions(
  sys: System,
  who: string,
  maxDepth: number,
  admit: (tids: readonly number[], feet: readonly Footprint[], p: number, F: Footprint) => boolean,
  maximal: (tids: readonly number[], feet: readonly Footprint[]) => void,
): void {
  const tids: number[] = [];
  const feet: Footprint[] = [];
  const dfs = (g: GState): void => {
    const en = sys.enabledMask(g);
    if (en === 0) return maximal(tids, feet);
    if (tids.length >= maxDepth) throw new Error(`${who}: an execution is longer than ${maxDepth} steps`);
    for (let p = 0; p < sys.n; p++) {
      if ((en & (1 << p)) === 0) continue;
      const F = sys.footprint(g, p);
      if (!admit(tids, feet, p, F)) continue;
      tids.push(p);
      feet.push(F);
      const ex = sys.exec(g, p);
      if (ex.violation) maximal(tids, feet);
      else dfs(ex.g);
      tids.pop();
      feet.pop();
    }
  };
  dfs(sys.initial());
}

/** The Foata normal form of an execution, as its schedule string. */
export function foata(tids: readonly number[], feet: readonly Footprint[]): string {
  const level: number[] = [];
  for (let j = 0; j < tids.length; j++) {
    let l = 0;
    for (let i = 0; i < j; i++)
      if (level[i] >= l && (tids[i] === tids[j] || System.dependent(feet[i], feet[j]))) l = level[i] + 1;
    level.push(l);
  }
  const order = tids.map((_, j) => j).sort((a, b) => level[a] - level[b] || tids[a] - tids[b]);
  return order.map((j) => tids[j]).join('.');
}

/**
 * A second, independent count: enumerate only the executions in lexicographic normal form
 * (Anisimov–Knuth: no factor b·u·a with thread(a) < thread(b) and a independent of b and of
 * every step of u), pruning a prefix as soon as it has such a factor. Each trace has exactly one
 * such execution, so the maximal ones are counted once each. Feasible at sizes where the
 * number of interleavings is not.
 */
export function countTracesLex(
  inst: Instance,
  properties?: readonly string[],
  limit = 2_000_000,
  maxDepth = 400,
): number {
  let traces = 0;
  const normal = (tids: readonly number[], feet: readonly Footprint[], p: number, F: Footprint): boolean => {
    for (let i = tids.length - 1; i >= 0; i--) {
      if (tids[i] === p || System.dependent(feet[i], F)) return true;
      if (tids[i] > p) return false;
    }
    return true;
  };
  enumerateExecutions(new System(inst, properties), 'countTracesLex', maxDepth, normal, () => {
    if (++traces > limit) throw new Error(`countTracesLex: more than ${limit} traces`);
  });
  return traces;
}
