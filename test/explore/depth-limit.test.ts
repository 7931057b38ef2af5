/**
 * A depth limit never turns a cut search into a pass: on random small models (test/helpers/gen.ts),
 * a search run with a maxDepth that comes back without `incomplete` must have reached exactly the
 * terminal and deadlock states, and the verdicts, of the unlimited naive search. (dfs used to miss
 * the cut when a revisit — a stored state met again with a smaller sleep set — was pushed at the
 * limit: its awake threads went unexplored and nothing said so.)
 */
import { describe as suite, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Instance } from '../../src/core/instantiate.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { build, describe, genModel, OBSERVE, type GenModel, type Sink } from '../helpers/gen.js';
import { observeRun, sorted } from '../helpers/observe.js';

const NUM_RUNS = Number(process.env.MMCHECK_SOUNDNESS_RUNS ?? 150);

function outcomeMap(inst: Instance, r: SearchResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of verdicts(inst, r)) if (v.property !== OBSERVE) out[v.property] = v.outcome;
  return out;
}

suite('depth limit', () => {
  for (const strategy of ['dfs', 'naive', 'bfs'] as const) {
    test(`${strategy}: a maxDepth run that is not incomplete matches the unlimited naive search`, () => {
      fc.assert(
        fc.property(genModel, fc.integer({ min: 1, max: 10 }), (m: GenModel, depth: number) => {
          const sink: Sink = { observe: null };
          const inst = build(m, sink);
          const full = observeRun(m, inst, sink, 'naive');
          const cut = observeRun(m, inst, sink, strategy, { maxDepth: depth });
          if (cut.result.kind === 'incomplete' || cut.result.kind === 'error') return;
          const got = {
            verdicts: outcomeMap(inst, cut.result),
            terminals: sorted(cut.terminals),
            deadlocks: sorted(cut.deadlocks),
          };
          const want = {
            verdicts: outcomeMap(inst, full.result),
            terminals: sorted(full.terminals),
            deadlocks: sorted(full.deadlocks),
          };
          expect({ depth, model: describe(m), ...got }).toEqual({ depth, model: describe(m), ...want });
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }
});
