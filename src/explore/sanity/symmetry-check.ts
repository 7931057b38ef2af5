import type { Instance } from '../../core/instantiate.js';
import { ModelError } from '../../core/errors.js';
import { canonical } from '../../core/fingerprint.js';
import { verdictOf } from '../../core/property.js';
import { System, type GState } from '../system/system.js';
import { VisitedTable } from '../store/visited.js';

/**
 * What `checkSymmetry` found: `holds` (every reachable state checked, or nothing declared),
 * `unknown` (stopped at the limit after `states` states, reachable states left unchecked) or
 * `violated` (the first counterexample, as text).
 */
export type SymmetryCheck =
  | { readonly outcome: 'holds' | 'unknown'; readonly states: number }
  | { readonly outcome: 'violated'; readonly states: number; readonly message: string };

/**
 * Check a model's symmetry declaration on its reachable states (up to `maxStates`, breadth
 * first): for every state g, every transposition π of two threads of a group, and every thread
 * t, the permuted state π(g) must behave as g renamed: t enabled in g iff π(t) in π(g); the
 * footprints (location ids) of t in g and of π(t) in π(g) equal; and the successor, the
 * violation raised, and every property's verdict commute with π. Transpositions generate each
 * group's permutations, so this is the declaration's promise (src/core/symmetry.ts) checked on
 * every visited state. A check stopped at `maxStates` with states left is `unknown`, never
 * `holds`: only a check of every reachable state is a pass.
 */
export function checkSymmetry(inst: Instance, maxStates = 20_000): SymmetryCheck {
  const sym = inst.program.symmetry;
  if (!sym) return { outcome: 'holds', states: 0 };
  const sys = new System(inst, undefined, { symmetry: false });
  const table = new VisitedTable();
  const queue: GState[] = [sys.initial()];
  const fp0 = sys.fingerprint(queue[0]);
  table.add(fp0[0], fp0[1]);
  const swaps: Int32Array[] = [];
  for (const g of sym.groups)
    for (let i = 1; i < g.length; i++) {
      const to = Int32Array.from({ length: sys.n }, (_, t) => t);
      to[g[0]] = g[i];
      to[g[i]] = g[0];
      swaps.push(to);
    }
  const rename = (g: GState, to: Int32Array): GState => {
    const t = g.t.slice();
    for (let x = 0; x < sys.n; x++) t[to[x]] = g.t[x];
    return { s: sym.permute ? sym.permute(g.s, to) : g.s, t };
  };
  const text = (g: GState) => canonical({ s: g.s, t: g.t });
  const verdicts = (g: GState) => {
    const props = sys.doneMask(g) === sys.allDone ? [...sys.invariants, ...sys.ends] : sys.invariants;
    return props.map((p) => verdictOf(inst.model.name, p, sys.view(g)) === null).join();
  };
  let head = 0;
  const broken = (message: string): SymmetryCheck => ({ outcome: 'violated', states: head + 1, message });
  for (; head < queue.length && head < maxStates; head++) {
    const g = queue[head];
    for (const to of swaps) {
      const pg = rename(g, to);
      if (verdicts(pg) !== verdicts(g))
        return broken(`property verdicts differ between ${text(g)} and its permutation ${text(pg)}`);
      for (let t = 0; t < sys.n; t++) {
        const u = to[t];
        const where = `thread ${sys.names[t]} at '${sys.label(g, t)}' in ${text(g)} vs ${sys.names[u]} in the permuted state`;
        if (sys.enabled(g, t) !== sys.enabled(pg, u)) return broken(`enabledness differs: ${where}`);
        if (sys.isDone(g, t)) continue;
        // Blocked threads too: dpor races a pending step (a lock acquire) with the stack.
        if (sys.footprint(g, t).join() !== sys.footprint(pg, u).join()) return broken(`footprints differ: ${where}`);
        if (!sys.enabled(g, t)) continue;
        const a = sys.exec(g, t);
        const b = sys.exec(pg, u);
        if ((a.violation?.property ?? '') !== (b.violation?.property ?? ''))
          return broken(`violations differ: ${where}`);
        if (text(rename(a.g, to)) !== text(b.g))
          return broken(`successors differ: ${where}: ${text(rename(a.g, to))} vs ${text(b.g)}`);
      }
    }
    for (let t = 0; t < sys.n; t++) {
      if (!sys.enabled(g, t)) continue;
      const ex = sys.exec(g, t);
      if (ex.violation) continue;
      const fp = sys.fingerprint(ex.g);
      if (table.find(fp[0], fp[1]) >= 0) continue;
      table.add(fp[0], fp[1]);
      queue.push(ex.g);
    }
  }
  return { outcome: head < queue.length ? 'unknown' : 'holds', states: head };
}

/** `checkSymmetry`, throwing a ModelError naming the model when the declaration is wrong or the check was cut short. */
export function assertSymmetry(inst: Instance, maxStates?: number): void {
  const r = checkSymmetry(inst, maxStates);
  if (r.outcome === 'violated')
    throw new ModelError(
      `model '${inst.model.name}' declares a symmetry it does not have: ${r.message}`,
      'bad-symmetry',
    );
  if (r.outcome === 'unknown')
    throw new ModelError(
      `model '${inst.model.name}': symmetry checked on only ${r.states} states (the limit; more are reachable), not a pass`,
      'incomplete',
    );
}
