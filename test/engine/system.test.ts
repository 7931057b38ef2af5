/**
 * VecSystem details: the permuted fingerprint is the fingerprint of the permuted vector; a
 * property the lazy view cannot serve runs on the decoded state with the reference verdict;
 * transitions are memoised (a body runs once per distinct reads).
 */
import { describe, expect, test } from '@jest/globals';
import { invariant } from '../../src/core/property.js';
import { fingerprint, fingerprintPermuted, fingerprintSum, MASK, TID } from '../../src/engine/fingerprint.js';
import { VecSystem } from '../../src/engine/system.js';
import { explore } from '../../src/explore/explore.js';
import { int, layout, mask, step, thread, tid } from '../../src/lang/index.js';
import { langProgram } from '../lang/helpers.js';

const shared = layout({ x: int(0, 3), owner: tid(), holders: mask() });
const { x, owner, holders } = shared.refs;
type S = typeof shared.defaults;

/** Each thread: take x (owner = me, holders |= me), then add one to x twice. */
const worker = (name: string) =>
  thread(name, {}, [
    step('own', (c) => {
      c.set(owner, c.tid);
      c.set(holders, c.get(holders) | (1 << c.tid));
    }),
    step('x++', (c) => c.set(x, Math.min(3, c.get(x) + 1))),
    step('x++ again', (c) => c.set(x, Math.min(3, c.get(x) + 1))),
  ]);

const program = (check: (s: S) => string | null) =>
  langProgram(() => ({
    layout: shared,
    threads: [worker('T0'), worker('T1'), worker('T2')],
    properties: [invariant<S>('x-below-3', 'x < 3', ['x'], (v) => check(v.s))],
    observes: {},
    symmetry: { groups: [[0, 1, 2]] },
  }));

describe('VecSystem', () => {
  test('the permuted fingerprint hashes the permuted vector', () => {
    const v = Int32Array.of(2, 1, 0b101, 3, 7, 1, 8, 0, 9);
    const fields = 3;
    const kinds = Uint8Array.of(0, TID, MASK);
    const to = Int32Array.of(2, 0, 1);
    const from = Int32Array.of(1, 2, 0);
    // Thread t's block moves to slot to[t]; owner 1 → 0; holders {0, 2} → {2, 1}.
    const permuted = Int32Array.of(2, 0, 0b110, 1, 8, 0, 9, 3, 7);
    const a = fingerprint(permuted, new Int32Array(2));
    expect(fingerprintPermuted(v, fields, kinds, to, from, new Int32Array(2))).toEqual(a);
    expect(fingerprint(v, new Int32Array(2))).not.toEqual(a);
  });

  test("a successor's additive fingerprint comes from its parent's, equal to hashing it whole", () => {
    const sys = new VecSystem(
      program(() => null),
      undefined,
      { symmetry: false },
    );
    let v = sys.initial();
    const fp = fingerprintSum(v, new Int32Array(2));
    // T0 owns x, T1 owns x (owner and holders change), T0 adds one, T0 adds one again.
    for (const t of [0, 1, 0, 0]) {
      const next = sys.successorSum(v, t, fp, 0, new Int32Array(2));
      const w = new Int32Array(v.length);
      sys.apply(v, t, w);
      expect(next).toEqual(fingerprintSum(w, new Int32Array(2)));
      expect(next).not.toEqual(fp);
      fp.set(next);
      v = w;
    }
  });

  test('a property the proxies cannot serve (structuredClone) gets the reference verdict', () => {
    const inst = program((s) => (structuredClone(s).x >= 3 ? 'x reached 3' : null));
    const ref = explore(inst, { strategy: 'naive', stopAtFirst: false });
    const vec = explore(inst, { strategy: 'naive', stopAtFirst: false, engine: 'compiled' });
    expect(vec.kind).toBe('violation');
    expect(vec.kind === 'violation' && vec.violation.message).toBe('x reached 3');
    expect(vec.kind !== 'error' && vec.stats.states).toBe(ref.kind !== 'error' && ref.stats.states);
  });

  test('each body runs once per distinct pc, locals and values read', () => {
    const inst = program((s) => (s.x >= 3 ? 'x reached 3' : null));
    const sys = new VecSystem(inst, undefined, { symmetry: false });
    // A plain walk over every reachable state. Per thread: 'own' reads holders (the 4 sets of
    // the other two threads' bits), the first 'x++' reads x (0..3), the second x (1..3).
    const v0 = sys.initial();
    const seen = new Set<string>([v0.join()]);
    const todo = [v0];
    while (todo.length) {
      const v = todo.pop()!;
      for (let t = 0; t < sys.n; t++)
        if (sys.enabled(v, t)) {
          const w = sys.exec(v, t).g;
          if (seen.has(w.join())) continue;
          seen.add(w.join());
          todo.push(w);
        }
    }
    expect(sys.memoStats().bodyRuns).toBe(3 * (4 + 4 + 3));
  });
});
