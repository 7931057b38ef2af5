import { Budget } from '../results/budget.js';
import { Recorder } from '../system/check.js';
import { finish, guarded } from './finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../results/result.js';
import type { TransitionSystem } from '../system/transition.js';
import { VisitedTable, int32Column, uint8Column } from '../store/visited.js';

/**
 * Breadth-first search without reduction: the first violation found has a shortest
 * counterexample (fewest steps). Keeps predecessor links, rebuilds the trace on demand.
 */
export function searchBfs<S>(sys: TransitionSystem<S>, opts: SearchOptions = {}): SearchResult {
  return guarded(() => {
    const budget = new Budget(opts, opts.onProgress);
    const rec = new Recorder(sys, opts.stopAtFirst ?? true);
    const table = new VisitedTable();
    const parent = int32Column();
    const via = uint8Column();
    const depth = int32Column();
    const pending = new Map<number, S>();
    const schedule = (id: number, last?: number) => {
      const s: number[] = last === undefined ? [] : [last];
      for (let x = id; parent.a[x] >= 0; x = parent.a[x]) s.push(via.a[x]);
      return s.reverse();
    };
    const add = (g: S, from: number, tid: number, d: number): number => {
      const fp = sys.key(g);
      const id = table.add(fp[0], fp[1]);
      parent.ensure(id)[id] = from;
      via.ensure(id)[id] = tid;
      depth.ensure(id)[id] = d;
      pending.set(id, g);
      return id;
    };
    let stopped: IncompleteReason | null = null;
    let truncated = false;
    const g0 = sys.initial();
    add(g0, -1, 0, 0);
    if (rec.record(sys.check(g0, sys.enabledMask(g0)), () => []))
      return finish(rec, null, budget.stats('bfs', 1, table.bytes(), sys.symmetryStats()));
    for (let head = 0; head < table.size && !stopped; head++) {
      const g = pending.get(head)!;
      pending.delete(head);
      const d = depth.a[head];
      if (d >= budget.depthLimit) {
        truncated ||= sys.enabledMask(g) !== 0;
        continue;
      }
      const en = sys.enabledMask(g);
      for (let p = 0; p < sys.n && !stopped; p++) {
        if ((en & (1 << p)) === 0) continue;
        stopped = budget.tick(table.size, d + 1, pending.size);
        const ex = sys.exec(g, p);
        if (ex.violation) {
          if (rec.record([{ ...ex.violation, kind: 'assertion' }], () => schedule(head, p))) return done();
          continue;
        }
        const fp = sys.key(ex.g);
        if (table.find(fp[0], fp[1]) >= 0) continue;
        if (table.size >= budget.maxStates) {
          stopped = 'max-states';
          break;
        }
        const id = add(ex.g, head, p, d + 1);
        if (rec.record(sys.check(ex.g, sys.enabledMask(ex.g)), () => schedule(id))) return done();
      }
    }
    return done();

    function done(): SearchResult {
      const bytes = table.bytes() + parent.bytes() + via.bytes() + depth.bytes();
      return finish(
        rec,
        stopped ?? (truncated ? 'max-depth' : null),
        budget.stats('bfs', table.size, bytes, sys.symmetryStats()),
      );
    }
  });
}
