/** check(): the library's one call — a variant built, searched to the end, judged against its expectations. */
import { describe, expect, test } from '@jest/globals';
import { check } from '../src/check.js';
import { ModelError } from '../src/core/errors.js';
import { renderJson, type JsonReport } from '../src/report/json.js';
import peterson from '../models/classic/peterson.js';

const outcomes = (r: ReturnType<typeof check>) => r.verdicts.map((v) => `${v.property}:${v.outcome}`);

describe('check', () => {
  test('the default variant: a complete pass, every expectation met', () => {
    const r = check(peterson);
    expect(r.ok).toBe(true);
    expect(r.result.kind).toBe('pass');
    // The default strategy, auto: peterson's 42 states fit its first naive run (dfs stores 34).
    expect(r.result.kind !== 'error' && [r.result.stats.strategy, r.result.stats.states]).toEqual(['naive', 42]);
    expect(r.ctx).toEqual({ model: 'peterson', variant: 'peterson', params: {} });
    expect(r.kinds).toEqual({ 'mutual-exclusion': 'invariant', 'deadlock-free': 'deadlock' });
    expect(outcomes(r)).toEqual(['mutual-exclusion:holds', 'deadlock-free:holds']);
    // As `mmcheck check`: the compiled engine for a model-language model, unless asked otherwise.
    expect(r.result.kind !== 'error' && r.result.stats.engine).toBe('compiled');
    const ref = check(peterson, { engine: 'reference' });
    expect(ref.result.kind !== 'error' && [ref.result.stats.engine, ref.result.stats.states]).toEqual([
      'reference',
      42,
    ]);
  });

  test('an expected violation is ok; the search goes on past it so every property gets a verdict', () => {
    const r = check(peterson, { variant: 'no-turn', ref: './peterson.js' });
    expect(r.ok).toBe(true);
    expect(r.result.kind === 'violation' && [r.result.exhaustive, r.result.stats.states]).toEqual([true, 36]);
    expect(outcomes(r)).toEqual(['mutual-exclusion:violated', 'deadlock-free:holds']);
    expect(r.ctx.model).toBe('./peterson.js');
  });

  test('stopping at the first violation leaves the other properties unknown: not ok', () => {
    const r = check(peterson, { variant: 'no-turn', stopAtFirst: true });
    expect(r.ok).toBe(false);
    expect(outcomes(r)).toEqual(['mutual-exclusion:violated', 'deadlock-free:unknown']);
  });

  test('a search cut short by a limit is incomplete, never ok', () => {
    const r = check(peterson, { maxStates: 5 });
    expect(r.ok).toBe(false);
    expect(r.result.kind === 'incomplete' && r.result.reason).toBe('max-states');
    expect(outcomes(r)).toEqual(['mutual-exclusion:unknown', 'deadlock-free:unknown']);
  });

  test('options reach the search: strategy and the checked properties', () => {
    const bfs = check(peterson, { strategy: 'bfs' });
    expect(bfs.result.kind === 'pass' && [bfs.result.stats.strategy, bfs.result.stats.states]).toEqual(['bfs', 42]);
    const one = check(peterson, { properties: ['mutual-exclusion'] });
    expect(outcomes(one)).toEqual(['mutual-exclusion:holds']);
  });

  test('an unknown variant, parameter or property throws a ModelError naming it', () => {
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ModelError ? [e.code, e.message] : e;
      }
      return 'no error';
    };
    expect(thrown(() => check(peterson, { variant: 'x' }))).toEqual([
      'unknown-variant',
      "model 'peterson' has no variant 'x' (known: peterson, no-turn)",
    ]);
    expect(thrown(() => check(peterson, { params: { n: 3 } }))).toEqual([
      'unknown-param',
      "model 'peterson' has no parameter 'n' (known: none)",
    ]);
    expect(thrown(() => check(peterson, { properties: ['nope'] }))).toEqual([
      'unknown-property',
      "model 'peterson' has no property 'nope' (known: mutual-exclusion, deadlock-free)",
    ]);
  });

  test('the run is a RunReport: the JSON renderer takes it as it is', () => {
    const json = JSON.parse(
      renderJson('check', [check(peterson, { variant: 'no-turn' })], { anyViolationFails: false }),
    ) as JsonReport;
    expect(json.ok).toBe(true);
    expect(json.runs[0].variant).toBe('no-turn');
    expect(json.runs[0].verdicts.map((v) => `${v.property}:${v.outcome}`)).toEqual([
      'mutual-exclusion:violated',
      'deadlock-free:holds',
    ]);
  });
});
