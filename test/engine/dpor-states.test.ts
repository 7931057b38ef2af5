/**
 * The compiled engine's DPOR frame states (VecStates: successors in a scratch vector, moves,
 * key leaves and invariant leaves carried over from the parent where the step changed none of
 * what they read) against the generic ones (SystemStates, every answer asked of the system):
 * on random small language programs (fixed seed), with symmetry and without, the same search
 * on the same VecSystem explores the same states and transitions and finds the same violations.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { searchVecDpor } from '../../src/engine/dpor-states.js';
import { VecSystem } from '../../src/engine/system.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { searchDpor } from '../../src/explore/strategies/dpor/dpor.js';
import { ALL_REDUCTIONS } from '../../src/lang/index.js';
import { buildProgram, genThread, type RandomThread } from '../lang/random-program.js';

const genProgram = fc.record({
  threads: fc.array(genThread(true), { minLength: 1, maxLength: 3 }),
  twin: fc.boolean(),
});

const outcome = (r: SearchResult) =>
  r.kind === 'error'
    ? r.message
    : [r.kind, r.stats.states, r.stats.transitions, r.kind === 'violation' ? r.violations.map((v) => v.property) : []];

describe('VecStates', () => {
  test('the DPOR search explores as with the generic frame states', () => {
    fc.assert(
      fc.property(genProgram, (p: { threads: readonly RandomThread[]; twin: boolean }) => {
        const inst = buildProgram(p.twin ? [p.threads[0], ...p.threads] : p.threads, ALL_REDUCTIONS, p.twin);
        const opts = { stopAtFirst: false };
        const generic = searchDpor(new VecSystem(inst), opts);
        const vec = searchVecDpor(new VecSystem(inst), opts);
        expect(outcome(vec)).toEqual(outcome(generic));
      }),
      { seed: 1306, numRuns: 150 },
    );
  });
});
