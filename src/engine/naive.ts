import { Budget } from '../explore/budget.js';
import { Recorder } from '../explore/check.js';
import { finish, guarded } from '../explore/finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../explore/result.js';
import type { VecSystem } from './system.js';
import { FingerprintSet } from './table.js';

/**
 * Naive exhaustive search on the compiled engine: stateful DFS over every enabled thread at
 * every state, the visited set an 8-byte-a-slot fingerprint set (FingerprintSet, at most 16
 * bytes a state). The same states as the generic naive search (src/explore/naive.ts) on the same
 * system; successors are built in a scratch vector and copied, into the vector kept for their
 * depth, only when new. Under symmetry the
 * key is that of the canonical permutation.
 */
export function searchVecNaive(sys: VecSystem, opts: SearchOptions = {}): SearchResult {
  return guarded(() => {
    const budget = new Budget(opts, opts.onProgress);
    const rec = new Recorder(sys, opts.stopAtFirst ?? true);
    const table = new FingerprintSet();
    const V: Int32Array[] = [];
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

    const push = (k: number, v: Int32Array, via: number): boolean => {
      const en = sys.enabledMask(v);
      V[k] = v;
      EN[k] = en;
      NEXT[k] = 0;
      VIA[k] = via;
      const found = sys.check(v, en);
      return found.length > 0 && rec.record(found, () => path(k));
    };

    const v0 = sys.initial();
    const fp0 = sys.key(v0);
    table.add(fp0[0], fp0[1]);
    const scratch = new Int32Array(v0.length);
    let k = 0;
    const stats = () => budget.stats('naive', table.size, table.bytes(), sys.symmetryStats());
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
      const bug = sys.apply(V[k], p, scratch);
      if (bug) {
        if (rec.record([{ ...bug, kind: 'assertion' }], () => path(k, p))) break;
        continue;
      }
      const fp = sys.key(scratch);
      if (table.size >= budget.maxStates) {
        // Only a new state is over the limit.
        if (!table.has(fp[0], fp[1])) {
          stopped = 'max-states';
          break;
        }
        continue;
      }
      if (!table.add(fp[0], fp[1])) continue;
      // One vector per depth: a popped state is never looked at again.
      const w = (V[k + 1] ??= new Int32Array(scratch.length));
      w.set(scratch);
      sys.forget();
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
