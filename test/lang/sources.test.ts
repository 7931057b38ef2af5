import { describe, expect, test } from '@jest/globals';
import { models } from '../../models/index.js';
import { instantiate } from '../../src/core/instantiate.js';
import { isCompiled, isLangModel } from '../../src/lang/model.js';
import { functionOf, sourcesByFile, unsourced } from '../../src/lang/sources.js';
import { callPaths } from '../../src/core/annotations.js';

// Issue 15 item 8: every step of a kernel model names its kernel function, and the model says
// which file and version that function is in. All five kernel models are in the language.
const kernel = models.filter(
  (m) =>
    isLangModel(m) && !['peterson', 'philosophers', 'readers', 'lastzero', 'indexer', 'filesystem'].includes(m.name),
);

describe('kernel models name the source of every step', () => {
  test('the five kernel models are all model-language models', () => {
    expect(kernel.map((m) => m.name).sort()).toEqual([
      'migration-vs-fault',
      'mremap-vs-rmap-walk',
      'put-and-wait-vs-migration',
      'rmap-vs-vma-adjust',
      'spf-seqcount',
    ]);
  });
  test('a label names its function before the first colon', () => {
    expect(functionOf('try_to_migrate_one: set_pte_at(migration entry)')).toBe('try_to_migrate_one');
  });
  for (const m of kernel)
    test(`${m.name}: every variant's functions are in its sources table`, () => {
      for (const v of Object.keys(m.variants)) {
        const p = instantiate(m, v).program;
        if (!isLangModel(m) || !isCompiled(p)) throw new Error(`${m.name} is not a language model`);
        expect([v, unsourced(m, p)]).toEqual([v, []]);
      }
    });
});

describe('tables written as lines', () => {
  test('sourcesByFile: one line per file, its functions after the colon', () => {
    expect(
      sourcesByFile(`
        mm/rmap.c @ v6.10: try_to_migrate try_to_migrate_one
        mm/filemap.c @ v5.0: wait_on_page_bit_common(DROP)`),
    ).toEqual({
      try_to_migrate: 'mm/rmap.c @ v6.10',
      try_to_migrate_one: 'mm/rmap.c @ v6.10',
      'wait_on_page_bit_common(DROP)': 'mm/filemap.c @ v5.0',
    });
    expect(() => sourcesByFile('mm/rmap.c try_to_migrate')).toThrow(
      "'mm/rmap.c try_to_migrate' is not 'file @ version: functions'",
    );
  });
  test('callPaths: each function called by the one before it; a path may start at a known caller', () => {
    expect(callPaths('a b c', 'b d\n e f')).toEqual({ a: '', b: 'a', c: 'b', d: 'b', e: '', f: 'e' });
  });
});
