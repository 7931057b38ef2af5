/**
 * Differential test of the compiled engine on random small language programs (fixed seed):
 * every strategy on the compiled engine gives the reference naive search's verdicts; the
 * compiled engine reaches the reference engine's reachable and terminal shared states; and
 * where the algorithm is the same (naive, bfs, dfs, odpor) it stores as many states as on the
 * reference engine, with symmetry (two copies of one thread, declared interchangeable) and
 * without. With the compiler's reductions on (merged spinlock sections included), each strategy
 * gives the plain program's naive verdicts and the same state count on both engines.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Instance } from '../../src/core/instantiate.js';
import { VecSystem } from '../../src/engine/system.js';
import { explore, type SearchStrategy } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { ALL_REDUCTIONS, NO_REDUCTIONS } from '../../src/lang/index.js';
import { outcomesOf, violatedIn } from '../helpers/verdicts.js';
import { sharedStates } from '../lang/helpers.js';
import { buildProgram, genThread, type RandomThread } from '../lang/random-program.js';

/** One or two threads; `twin`: thread 0 runs twice, the two copies declared symmetric. */
const genProgram = fc.record({
  threads: fc.array(genThread(true), { minLength: 1, maxLength: 2 }),
  twin: fc.boolean(),
});

const build = (p: { threads: readonly RandomThread[]; twin: boolean }, red = NO_REDUCTIONS): Instance =>
  buildProgram(p.twin ? [p.threads[0], ...p.threads] : p.threads, red, p.twin);

/** Reachable and terminal shared states of the compiled engine (decoded), by a plain walk. */
function vecSharedStates(inst: Instance): { reach: Set<string>; terminal: Set<string> } {
  const sys = new VecSystem(inst, undefined, { symmetry: false });
  const seen = new Set<string>();
  const reach = new Set<string>();
  const terminal = new Set<string>();
  const queue = [sys.initial()];
  seen.add(queue[0].join());
  while (queue.length) {
    const v = queue.shift()!;
    reach.add(JSON.stringify(sys.enc.shared(v)));
    const en = sys.enabledMask(v);
    if (sys.doneMask(v) === sys.allDone) terminal.add(JSON.stringify(sys.enc.shared(v)));
    for (let t = 0; t < sys.n; t++) {
      if (!(en & (1 << t))) continue;
      const e = sys.exec(v, t);
      if (e.violation || seen.has(e.g.join())) continue;
      seen.add(e.g.join());
      queue.push(e.g);
    }
  }
  return { reach, terminal };
}

const counts = (r: SearchResult) => (r.kind === 'error' ? r.message : [r.kind, r.stats.states, r.stats.transitions]);
const ALL: readonly SearchStrategy[] = ['naive', 'dfs', 'bfs', 'odpor', 'preempt', 'random'];
const SAME_ALGORITHM: readonly SearchStrategy[] = ['naive', 'dfs', 'bfs', 'odpor'];

describe('compiled engine: differential on random programs', () => {
  test('every compiled strategy: the reference verdicts, states and shared states', () => {
    fc.assert(
      fc.property(genProgram, (p) => {
        const inst = build(p);
        const reference = outcomesOf(inst, explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false }));
        for (const strategy of ALL) {
          const opts = { strategy, stopAtFirst: false, seed: 1, runs: 400 };
          const vec = explore(inst, { ...opts, engine: 'compiled' });
          if (strategy !== 'random') expect([strategy, outcomesOf(inst, vec)]).toEqual([strategy, reference]);
          // random samples: every violation it reports is one the naive search finds.
          else expect(violatedIn(outcomesOf(inst, vec)).filter((q) => reference[q] !== 'violated')).toEqual([]);
          if (SAME_ALGORITHM.includes(strategy))
            expect([strategy, counts(vec)]).toEqual([strategy, counts(explore(inst, opts))]);
        }
        const a = sharedStates(inst);
        const b = vecSharedStates(inst);
        expect([...b.reach].sort()).toEqual([...a.reach].sort());
        expect([...b.terminal].sort()).toEqual([...a.terminal].sort());
      }),
      { seed: 13, numRuns: 60 },
    );
  });

  test("with the compiler's reductions on: the reference naive verdicts, and each engine's states equal", () => {
    fc.assert(
      fc.property(genProgram, (p) => {
        const plain = build(p);
        const reference = outcomesOf(plain, explore(plain, { strategy: 'naive', stopAtFirst: false, symmetry: false }));
        const inst = build(p, ALL_REDUCTIONS);
        for (const strategy of SAME_ALGORITHM) {
          const opts = { strategy, stopAtFirst: false };
          const vec = explore(inst, { ...opts, engine: 'compiled' });
          expect([strategy, outcomesOf(inst, vec)]).toEqual([strategy, reference]);
          expect([strategy, counts(vec)]).toEqual([strategy, counts(explore(inst, opts))]);
        }
      }),
      { seed: 17, numRuns: 60 },
    );
  });
});
