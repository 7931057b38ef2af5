/**
 * The compiled engine (flat state vectors, src/engine) against the reference engine: on every
 * variant of every shipped language model, its naive search reaches the same number of states
 * and transitions and the same verdicts as the reference naive search without symmetry, with
 * the compiler's reductions on and off; counterexamples come back with the reference engine's
 * trace.
 */
import { describe, expect, test } from '@jest/globals';
import { instantiate } from '../../src/core/instantiate.js';
import { coreModel } from '../helpers/core-model.js';
import { Encoding } from '../../src/engine/encoding.js';
import { explore } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { ALL_REDUCTIONS, instantiateWith, isLangModel, NO_REDUCTIONS } from '../../src/lang/index.js';
import { models } from '../../models/index.js';
import migration from '../../models/kernel/migration-vs-fault.js';
import template from '../../models/template.js';
import { outcomesOf } from '../helpers/verdicts.js';

const summary = (r: SearchResult) =>
  r.kind === 'error' ? r.message : { kind: r.kind, states: r.stats.states, transitions: r.stats.transitions };
const SMALL: Record<string, Record<string, number>> = {
  indexer: { n: 2 },
  filesystem: { n: 2 },
  'migration-vs-fault': { readers: 1 },
  'rmap-vs-vma-adjust': { exec: 0 }, // the exec shape: test/models/rmap-vs-vma-adjust.test.ts
  'put-and-wait-vs-migration': { passes: 1 },
  'spf-seqcount': { truncate: 0, dontneed: 1 },
};

describe('compiled engine: naive search', () => {
  for (const m of models.filter(isLangModel))
    test(`${m.name}: every variant, the reference engine's states, transitions and verdicts`, () => {
      for (const v of Object.keys(m.variants))
        for (const red of [NO_REDUCTIONS, ALL_REDUCTIONS]) {
          const inst = instantiateWith(m, red, v, SMALL[m.name] ?? {});
          const ref = explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false });
          const vec = explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false, engine: 'compiled' });
          expect([v, red.mergeLocal, summary(vec)]).toEqual([v, red.mergeLocal, summary(ref)]);
          expect(outcomesOf(inst, vec)).toEqual(outcomesOf(inst, ref));
          // With the model's symmetry: the reference canonicaliser's orbits.
          const refSym = explore(inst, { strategy: 'naive', stopAtFirst: false });
          const vecSym = explore(inst, { strategy: 'naive', stopAtFirst: false, engine: 'compiled' });
          expect([v, 'symmetry', summary(vecSym)]).toEqual([v, 'symmetry', summary(refSym)]);
        }
    });

  test("opt3-freeze-first without reductions: 0.1's naive counts (issue 13: 230, 4,216)", () => {
    const states = (readers: number) => {
      const inst = instantiateWith(migration, NO_REDUCTIONS, 'opt3-freeze-first', { readers });
      const r = explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false, engine: 'compiled' });
      return r.kind === 'pass' ? r.stats.states : r.kind;
    };
    expect([states(1), states(2)]).toEqual([230, 4216]);
  });

  test('a counterexample carries the trace the reference engine replays', () => {
    const r = explore(instantiate(template, 'racy'), { strategy: 'naive', engine: 'compiled' });
    if (r.kind !== 'violation') throw new Error(r.kind);
    expect(r.violation.property).toBe('refcount-balanced');
    // Depth first, thread 0 first: cpu0 loads, then cpu1 loads before cpu0 stores.
    expect(r.violation.trace.steps.map((s) => `${s.thread}: ${s.label}`)).toEqual([
      'cpu0: get_page: count = page_ref_count(page)',
      'cpu1: get_page: count = page_ref_count(page)',
      'cpu0: get_page: set_page_count(page, count + 1)',
      'cpu1: get_page: set_page_count(page, count + 1)',
    ]);
    expect(r.violation.message).toMatch(/an increment was lost/);
  });

  test('a model not written in the language is refused', () => {
    const core = coreModel;
    const r = explore(instantiate(core), { strategy: 'naive', engine: 'compiled' });
    expect(r.kind === 'error' && r.message).toBe(
      "model 'core' is not written in the model language: the compiled engine cannot run it (use --engine reference)",
    );
    const d = explore(instantiate(core), { strategy: 'dfs', engine: 'compiled' });
    expect(d.kind === 'error' && d.code).toBe('bad-engine');
  });
});

describe('state vectors', () => {
  test('a state encodes to one slot per field plus pc and locals per thread, and decodes back', () => {
    const inst = instantiate(migration, 'opt4-uncache', { readers: 2 });
    const p = inst.program as typeof inst.program & { layout: import('../../src/lang/index.js').Layout };
    const enc = new Encoding(p.layout);
    const v = enc.vector(
      p.init,
      p.threads.map((t) => ({ pc: 0, l: t.locals as unknown })),
    );
    expect(v.length).toBe(p.layout.leaves.length + 2 * p.threads.length);
    expect(enc.shared(v)).toEqual(p.init);
    expect(enc.locals(v[enc.fields + 1])).toEqual(p.threads[0].locals);
  });
});
