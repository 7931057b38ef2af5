import { describe, expect, test } from '@jest/globals';
import { fingerprint } from '../../src/engine/fingerprint.js';
import { VecSystem } from '../../src/engine/system.js';
import { ALL_REDUCTIONS, instantiateWith } from '../../src/lang/index.js';
import migration from '../../models/kernel/migration-vs-fault.js';
import readers from '../../models/classic/readers.js';
import { H1, H2, tstate } from '../../src/explore/system/statehash.js';

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

  test('a thread state first hashed in a sort re-ranks the threads sorted before it', () => {
    // Readers 1 and 2 at the same pc with (pc, locals) new to the canonicaliser, reader 1's
    // hash lanes above reader 2's: hashing reader 2's re-ranks reader 1's.
    const inst = instantiateWith(readers, ALL_REDUCTIONS, 'readers', { n: 2 });
    const sys = new VecSystem(inst);
    const at = (a: number, b: number) =>
      sys.enc.vector({ x: 42 }, [
        { pc: 1, l: { r: -1 } },
        { pc: 1, l: { r: a } },
        { pc: 1, l: { r: b } },
      ]);
    const lanes = (v: Int32Array, t: number) => {
      const ts = tstate(1, sys.enc.locals(v[sys.enc.fields + 2 * t + 1]));
      return [ts[H1]!, ts[H2]!];
    };
    let v = at(0, 42);
    const [a, b] = [lanes(v, 1), lanes(v, 2)];
    if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) v = at(42, 0);
    const first = Array.from(sys.key(v));
    expect(Array.from(sys.key(v))).toEqual(first);
    // The same orbit, its readers swapped, keyed by a canonicaliser that hashed both before.
    const swapped = sys.canon!.permute(v, [0, 2, 1], new Int32Array(v.length));
    expect(Array.from(sys.key(swapped))).toEqual(first);
  });
});
