import { mul } from '../../core/fingerprint.js';
import { Budget } from '../results/budget.js';
import { Recorder, type Found } from '../system/check.js';
import { finish, guarded } from './finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../results/result.js';
import type { TransitionSystem } from '../system/transition.js';
import { VisitedTable, int32Column, uint8Column } from '../store/visited.js';

export interface PreemptOptions extends SearchOptions {
  /** Most preemptions explored; beyond it the search is reported incomplete. */
  readonly preemptionBound?: number;
}

/**
 * Bounded-preemption search, fewest context switches first (as in CHESS). A preemption is a
 * switch away from a thread that could have continued. Nodes are (state, last thread), settled
 * layer by layer in order of preemptions, so the first violation has the fewest preemptions.
 */
export function searchPreempt<S>(sys: TransitionSystem<S>, opts: PreemptOptions = {}): SearchResult {
  return guarded(() => {
    const budget = new Budget(opts, opts.onProgress);
    const rec = new Recorder(sys, opts.stopAtFirst ?? true);
    const bound = opts.preemptionBound ?? Infinity;
    const table = new VisitedTable();
    const cost = int32Column();
    const parent = int32Column();
    const via = uint8Column();
    const states = new Map<number, S>();
    const schedule = (id: number, last?: number) => {
      const s: number[] = last === undefined ? [] : [last];
      for (let x = id; parent.a[x] >= 0; x = parent.a[x]) s.push(via.a[x]);
      return s.reverse();
    };
    const key = (g: S, last: number) => {
      const fp = sys.fingerprint(g);
      return [fp[0] ^ mul(last + 2, 0x9e3779b1), (fp[1] + mul(last + 2, 0x85ebca6b)) | 0] as const;
    };
    let layer: number[] = [];
    let nextLayer: number[] = [];
    let pendingBugs: { found: Found[]; id: number; tid: number }[] = [];
    let stopped: IncompleteReason | null = null;
    let cut = false;
    let c = 0;

    const reach = (g: S, last: number, from: number, tid: number, cst: number): void => {
      const [a, b] = key(g, last);
      let id = table.find(a, b);
      if (id >= 0 && cost.a[id] <= cst) return;
      if (id < 0) {
        if (table.size >= budget.maxStates) {
          stopped = 'max-states';
          return;
        }
        id = table.add(a, b);
      }
      cost.ensure(id)[id] = cst;
      parent.ensure(id)[id] = from;
      via.ensure(id)[id] = tid;
      states.set(id, g);
      (cst === c ? layer : nextLayer).push(id);
    };

    reach(sys.initial(), -1, -1, 0, 0);
    for (; c <= bound && !stopped; c++) {
      for (const bug of pendingBugs) if (rec.record(bug.found, () => schedule(bug.id, bug.tid))) return done();
      pendingBugs = [];
      while (layer.length > 0 && !stopped) {
        const id = layer.pop()!;
        if (cost.a[id] !== c || !states.has(id)) continue;
        const g = states.get(id)!;
        states.delete(id);
        const en = sys.enabledMask(g);
        if (rec.record(sys.check(g, en), () => schedule(id))) return done();
        const last = parent.a[id] >= 0 ? via.a[id] : -1;
        for (let p = 0; p < sys.n && !stopped; p++) {
          if ((en & (1 << p)) === 0) continue;
          const step = last >= 0 && p !== last && (en & (1 << last)) !== 0 ? 1 : 0;
          if (c + step > bound) {
            cut = true;
            continue;
          }
          stopped = budget.tick(table.size, c, layer.length + nextLayer.length);
          const ex = sys.exec(g, p);
          if (ex.violation) {
            const found = [{ ...ex.violation, kind: 'assertion' as const }];
            if (step === 0) {
              if (rec.record(found, () => schedule(id, p))) return done();
            } else pendingBugs.push({ found, id, tid: p });
            continue;
          }
          reach(ex.g, p, id, p, c + step);
        }
      }
      if (nextLayer.length === 0 && pendingBugs.length === 0) break;
      layer = nextLayer;
      nextLayer = [];
    }
    return done();

    function done(): SearchResult {
      const bytes = table.bytes() + cost.bytes() + parent.bytes() + via.bytes();
      const reason = stopped ?? (cut || c > bound ? 'preemption-bound' : null);
      return finish(rec, reason, budget.stats('preempt', table.size, bytes, { preemptions: Math.min(c, bound) }));
    }
  });
}
