import { describe, expect, test } from '@jest/globals';
import { fingerprint } from '../../src/engine/fingerprint.js';
import { VecSystem } from '../../src/engine/system.js';
import { ALL_REDUCTIONS, instantiateWith } from '../../src/lang/index.js';
import migration from '../../models/kernel/migration-vs-fault.js';

describe('VecCanon', () => {
  test('a key is the fingerprint of the canonical permutation', () => {
    const sys = new VecSystem(instantiateWith(migration, ALL_REDUCTIONS, 'opt3-freeze-first', { readers: 3 }));
    const canon = sys.canon!;
    // The first 400 states breadth first: permuted and unpermuted ones.
    const seen = new Set<string>();
    const queue = [sys.initial()];
    let permuted = 0;
    for (let i = 0; i < queue.length && seen.size < 400; i++) {
      const v = queue[i];
      if (seen.has(v.join())) continue;
      seen.add(v.join());
      const key = Int32Array.from(canon.key(v, new Int32Array(2)));
      const id = canon.permId;
      if (id !== 0) permuted++;
      const w = canon.permute(v, canon.to(id), new Int32Array(v.length));
      expect(key).toEqual(fingerprint(w, new Int32Array(2)));
      for (let t = 0; t < sys.n; t++) if (sys.enabled(v, t)) queue.push(sys.exec(v, t).g);
    }
    expect(seen.size).toBe(400);
    expect(permuted).toBeGreaterThan(0);
  });
});
