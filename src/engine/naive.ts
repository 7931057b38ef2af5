import { Budget } from '../explore/budget.js';
import { Recorder } from '../explore/check.js';
import { finish, guarded } from '../explore/finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../explore/result.js';
import { VisitedTable } from '../explore/visited.js';
import type { Instance } from '../core/instantiate.js';
import type { Evaluation } from '../lang/context.js';
import { fingerprint } from './fingerprint.js';
import { VecSystem } from './system.js';

/**
 * Naive exhaustive search on the compiled engine: stateful DFS over every enabled thread at
 * every state, states as flat vectors, the visited set holding 8-byte fingerprints (hash
 * compaction, as the reference engine's). No symmetry reduction: the same states as the
 * reference engine's naive search with `symmetry: false`. Counterexamples are rebuilt by the
 * reference engine from the schedule.
 */
export function searchCompiledNaive(inst: Instance, opts: SearchOptions = {}): SearchResult {
  return guarded(() => {
    const sys = new VecSystem(inst, opts.properties);
    const budget = new Budget(opts, opts.onProgress);
    const rec = new Recorder(sys.ref, opts.stopAtFirst ?? true);
    const table = new VisitedTable();
    const fp = new Int32Array(2);
    const V: Int32Array[] = [];
    const EV: (Evaluation<unknown> | null)[][] = [];
    const EN: number[] = [];
    const NEXT: number[] = [];
    const VIA: number[] = [];
    const path = (k: number, last?: number) => {
      const s = VIA.slice(1, k + 1);
      if (last !== undefined) s.push(last);
      return s;
    };
    let stopped: IncompleteReason | null = null;
    let scratch: Int32Array | undefined;
    let truncated = false;

    const push = (k: number, v: Int32Array, via: number): boolean => {
      const ev: (Evaluation<unknown> | null)[] = [];
      let en = 0;
      for (let t = 0; t < sys.n; t++) {
        const e = sys.evaluate(v, t);
        ev.push(e);
        if (e && !e.blocked) en |= 1 << t;
      }
      V[k] = v;
      EV[k] = ev;
      EN[k] = en;
      NEXT[k] = 0;
      VIA[k] = via;
      return rec.record(sys.check(v, en), () => path(k));
    };

    const v0 = sys.initial();
    fingerprint(v0, fp);
    table.add(fp[0], fp[1]);
    let k = 0;
    const stats = () => ({ ...budget.stats('naive', table.size, table.bytes()), symmetry: false });
    if (push(0, v0, -1)) return finish(rec, null, stats());
    while (k >= 0 && !stopped) {
      let p = NEXT[k];
      while (p < sys.n && (EN[k] & (1 << p)) === 0) p++;
      if (p >= sys.n) {
        k--;
        continue;
      }
      NEXT[k] = p + 1;
      stopped = budget.tick(table.size, k + 1, k);
      const e = EV[k][p]!;
      if (e.violation) {
        if (rec.record([{ ...e.violation, kind: 'assertion' }], () => path(k, p))) break;
        continue;
      }
      // The successor is built in a scratch vector and copied only when it is new.
      scratch ??= new Int32Array(V[k].length);
      sys.next(V[k], p, e, scratch);
      fingerprint(scratch, fp);
      if (table.find(fp[0], fp[1]) >= 0) continue;
      const w = scratch.slice();
      if (table.size >= budget.maxStates) {
        stopped = 'max-states';
        break;
      }
      table.add(fp[0], fp[1]);
      if (push(k + 1, w, p)) break;
      if (k + 1 >= budget.depthLimit) {
        if (EN[k + 1] !== 0) truncated = true;
        continue;
      }
      k++;
    }
    return finish(rec, stopped ?? (truncated ? 'max-depth' : null), stats());
  });
}
