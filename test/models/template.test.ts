import { describe, expect, test } from '@jest/globals';
import model from '../../models/template.js';
import { instantiate } from '../../src/core/instantiate.js';
import { explore } from '../../src/explore/explore.js';
import { outcomesOf } from '../helpers/verdicts.js';

describe('the template model', () => {
  test('every variant meets its expectation under dfs and naive', () => {
    for (const v of Object.keys(model.variants)) {
      const inst = instantiate(model, v);
      for (const strategy of ['dfs', 'naive'] as const)
        expect([v, strategy, outcomesOf(inst, explore(inst, { strategy, stopAtFirst: false }))]).toEqual([
          v,
          strategy,
          inst.expect,
        ]);
    }
  });
  test('the lost update: both CPUs load before either stores', () => {
    const r = explore(instantiate(model, 'racy'), { strategy: 'bfs' });
    if (r.kind !== 'violation') throw new Error(r.kind);
    expect(r.violation.trace.steps.map((s) => `${s.thread}: ${s.label}`)).toEqual([
      'cpu0: get_page: count = page_ref_count(page)',
      'cpu1: get_page: count = page_ref_count(page)',
      'cpu0: get_page: set_page_count(page, count + 1)',
      'cpu1: get_page: set_page_count(page, count + 1)',
    ]);
  });
});
