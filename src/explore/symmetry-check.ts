import type { Instance } from '../core/instantiate.js';
import { ModelError } from '../core/errors.js';
import { canonical } from '../core/fingerprint.js';
import { System, type GState } from './system.js';
import { VisitedTable } from './visited.js';

/**
 * Check a model's symmetry declaration on its reachable states (up to `maxStates`, breadth
 * first): for every state g, every transposition π of two threads of a group, and every thread
 * t, the permuted state π(g) must behave as g renamed: t enabled in g iff π(t) in π(g); the
 * footprints (location ids) of t in g and of π(t) in π(g) equal; and the successor, the
 * violation raised, and every property's verdict commute with π. Transpositions generate each
 * group's permutations, so this is the declaration's promise (src/core/symmetry.ts) checked on
 * every visited state. Returns the first counterexample as text, or null.
 */
export function checkSymmetry(inst: Instance, maxStates = 20_000): string | null {
  const sym = inst.program.symmetry;
  if (!sym) return null;
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
    return props.map((p) => p.check!(sys.view(g)) === null).join();
  };
  for (let head = 0; head < queue.length && head < maxStates; head++) {
    const g = queue[head];
    for (const to of swaps) {
      const pg = rename(g, to);
      if (verdicts(pg) !== verdicts(g)) return `property verdicts differ between ${text(g)} and its permutation ${text(pg)}`;
      for (let t = 0; t < sys.n; t++) {
        const u = to[t];
        const where = `thread ${sys.names[t]} at '${sys.label(g, t)}' in ${text(g)} vs ${sys.names[u]} in the permuted state`;
        if (sys.enabled(g, t) !== sys.enabled(pg, u)) return `enabledness differs: ${where}`;
        if (sys.isDone(g, t)) continue;
        // Blocked threads too: dpor races a pending step (a lock acquire) with the stack.
        if (sys.footprint(g, t).join() !== sys.footprint(pg, u).join()) return `footprints differ: ${where}`;
        if (!sys.enabled(g, t)) continue;
        const a = sys.exec(g, t);
        const b = sys.exec(pg, u);
        if ((a.violation?.property ?? '') !== (b.violation?.property ?? '')) return `violations differ: ${where}`;
        if (text(rename(a.g, to)) !== text(b.g)) return `successors differ: ${where}: ${text(rename(a.g, to))} vs ${text(b.g)}`;
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
  return null;
}

/** `checkSymmetry`, throwing a ModelError naming the model. */
export function assertSymmetry(inst: Instance, maxStates?: number): void {
  const bad = checkSymmetry(inst, maxStates);
  if (bad) throw new ModelError(`model '${inst.model.name}' declares a symmetry it does not have: ${bad}`, 'bad-model');
}
