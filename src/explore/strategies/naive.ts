import { Budget } from '../results/budget.js';
import { Recorder } from '../system/check.js';
import { finish, guarded } from './finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../results/result.js';
import type { TransitionSystem } from '../system/transition.js';
import { VisitedTable } from '../store/visited.js';

/**
 * Naive exhaustive search: stateful DFS over every enabled thread at every state. The
 * reference oracle the reduced searches are tested against.
 */
export function searchNaive<S>(sys: TransitionSystem<S>, opts: SearchOptions = {}): SearchResult {
  return guarded(() => {
    const budget = new Budget(opts, opts.onProgress);
    const rec = new Recorder(sys, opts.stopAtFirst ?? true);
    const table = new VisitedTable();
    const G: S[] = [];
    const EN: number[] = [];
    const NEXT: number[] = [];
    const VIA: number[] = [];
    const path = (k: number, last?: number) => {
      const s = VIA.slice(1, k + 1);
      if (last !== undefined) s.push(last);
      return s;
    };
    let stopped: IncompleteReason | null = null;
    let truncated = false;

    const push = (k: number, g: S, via: number): boolean => {
      const en = sys.enabledMask(g);
      G[k] = g;
      EN[k] = en;
      NEXT[k] = 0;
      VIA[k] = via;
      return rec.record(sys.check(g, en), () => path(k));
    };

    const g0 = sys.initial();
    const fp0 = sys.key(g0);
    table.add(fp0[0], fp0[1]);
    let k = 0;
    if (push(0, g0, -1))
      return finish(rec, null, budget.stats('naive', table.size, table.bytes(), sys.symmetryStats()));
    while (k >= 0 && !stopped) {
      let p = NEXT[k];
      while (p < sys.n && (EN[k] & (1 << p)) === 0) p++;
      if (p >= sys.n) {
        k--;
        continue;
      }
      NEXT[k] = p + 1;
      stopped = budget.tick(table.size, k + 1, k);
      const ex = sys.exec(G[k], p);
      if (ex.violation) {
        if (rec.record([{ ...ex.violation, kind: 'assertion' }], () => path(k, p))) break;
        continue;
      }
      const fp = sys.key(ex.g);
      if (table.find(fp[0], fp[1]) >= 0) continue;
      if (table.size >= budget.maxStates) {
        stopped = 'max-states';
        break;
      }
      table.add(fp[0], fp[1]);
      if (push(k + 1, ex.g, p)) break;
      if (k + 1 >= budget.depthLimit) {
        if (EN[k + 1] !== 0) truncated = true;
        continue;
      }
      k++;
    }
    return finish(
      rec,
      stopped ?? (truncated ? 'max-depth' : null),
      budget.stats('naive', table.size, table.bytes(), sys.symmetryStats()),
    );
  });
}
