/**
 * explore's engine choice: `auto` (the CLI's default) runs a model-language model on the compiled
 * engine and a model written against 0.1's step API on the reference engine; the library's
 * default stays the reference engine (the semantics the differential tests compare against).
 * The result says which engine ran.
 */
import { describe, expect, test } from '@jest/globals';
import { instantiate } from '../../src/core/instantiate.js';
import { engineFor, explore } from '../../src/explore/explore.js';
import template from '../../models/template.js';
import { coreModel } from '../helpers/core-model.js';

const core = coreModel;

describe('explore: the engine', () => {
  test('auto: compiled for a model-language model, reference for a 0.1-API model', () => {
    expect(engineFor(instantiate(template, 'racy'), 'auto')).toBe('compiled');
    expect(engineFor(instantiate(core), 'auto')).toBe('reference');
    // An explicit choice is taken as it is (the compiled engine then refuses the 0.1 model).
    expect(engineFor(instantiate(core), 'compiled')).toBe('compiled');
    expect(engineFor(instantiate(template, 'racy'), 'reference')).toBe('reference');
    expect(engineFor(instantiate(template, 'racy'))).toBe('reference');
  });

  test('the stats name the engine that ran; the same search on both', () => {
    const inst = instantiate(template, 'racy');
    const opts = { strategy: 'naive', stopAtFirst: false } as const;
    const auto = explore(inst, { ...opts, engine: 'auto' });
    const ref = explore(inst, opts);
    expect(auto.kind !== 'error' && auto.stats.engine).toBe('compiled');
    expect(ref.kind !== 'error' && ref.stats.engine).toBe('reference');
    expect(auto.kind !== 'error' && [auto.kind, auto.stats.states, auto.stats.transitions]).toEqual(
      ref.kind !== 'error' && [ref.kind, ref.stats.states, ref.stats.transitions],
    );
    const old = explore(instantiate(core), { strategy: 'dfs', engine: 'auto' });
    expect(old.kind !== 'error' && [old.kind, old.stats.engine]).toEqual(['pass', 'reference']);
  });
});
