import { describe, expect, test } from '@jest/globals';
import { models } from '../../models/index.js';
import { lockOrder } from '../../src/analysis/lock-order.js';
import { instantiate } from '../../src/core/instantiate.js';

/**
 * Every shipped model and variant keeps its lock annotations balanced: the lock-order analysis
 * raises a ModelError when a thread exits holding a lock or re-acquires one it holds (a
 * hand-built step that drops a primitive's `lock` annotation does one or the other). Small
 * parameters keep the whole sweep to a few seconds; the instances still run every kernel path.
 */
const SMALL: Readonly<Record<string, readonly Readonly<Record<string, number>>[]>> = {
  indexer: [{ n: 2 }],
  'rmap-vs-vma-adjust': [
    { mprotect: 1, exec: 0 },
    { mprotect: 2, exec: 0 },
    { mprotect: 0, exec: 1 },
  ],
  'mremap-vs-rmap-walk': [{ ptes: 1 }, { ptes: 2, fail: 0 }],
  'migration-vs-fault': [{ readers: 1 }],
  'spf-seqcount': [{ readers: 0 }],
};

describe('lock annotations of every shipped model are balanced', () => {
  for (const model of models)
    for (const variant of Object.keys(model.variants))
      for (const params of SMALL[model.name] ?? [{}])
        test(`${model.name}/${variant} ${JSON.stringify(params)}`, () => {
          const r = lockOrder(instantiate(model, variant, params), { maxStates: 200_000 });
          expect(r.complete).toBe(true);
        });
});
