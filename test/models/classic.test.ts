/**
 * The classic models: every variant's per-property verdicts match its declared expectation under
 * the reduced search (dfs) and the naive search; state counts pinned for small sizes; and a
 * differential check of dfs against naive on contended instances, with probe properties that
 * name terminal states (a dfs that misses a terminal state the naive search reaches shows up
 * as a probe verdict that differs).
 */
import { describe, expect, test } from '@jest/globals';
import { instantiate, type Instance } from '../../src/core/instantiate.js';
import type { Model } from '../../src/core/model.js';
import { endState, type Property, type StateView } from '../../src/core/property.js';
import { explore } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { models } from '../../models/index.js';
import { outcomesOf } from '../helpers/verdicts.js';
import { instantiateWith, isLangModel, NO_REDUCTIONS } from '../../src/lang/index.js';

const CLASSIC = ['peterson', 'philosophers', 'readers', 'lastzero', 'indexer', 'filesystem'];
const model = (name: string): Model => {
  const m = models.find((x) => x.name === name);
  if (!m) throw new Error(`no model ${name}`);
  return m;
};

const states = (r: SearchResult): number => {
  if (r.kind === 'error') throw new Error(r.message);
  return r.stats.states;
};
const run = (inst: Instance, strategy: 'dfs' | 'naive', opts: { symmetry?: boolean } = {}) =>
  explore(inst, { strategy, stopAtFirst: false, ...opts });

describe('classic models: verdicts', () => {
  test('the registry starts with the classic models, peterson first', () => {
    expect(models.slice(0, CLASSIC.length).map((m) => m.name)).toEqual(CLASSIC);
  });

  // The naive cross-check of the two table models runs at n = 3 (13^n, 9^n states) to keep the
  // suite fast; the dfs verdicts are checked at the defaults.
  const NAIVE_AT: Record<string, Record<string, number>> = { indexer: { n: 3 }, filesystem: { n: 3 } };
  for (const name of CLASSIC) {
    for (const variant of Object.keys(model(name).variants)) {
      test(`${name}/${variant}: dfs and naive verdicts match the expectation`, () => {
        const inst = instantiate(model(name), variant);
        const dfs = run(inst, 'dfs');
        expect(dfs.kind).not.toBe('error');
        expect(dfs.kind).not.toBe('incomplete');
        expect(outcomesOf(inst, dfs)).toEqual(inst.expect);
        expect(Object.keys(inst.expect)).toContain('deadlock-free');
        const small = NAIVE_AT[name] ? instantiate(model(name), variant, NAIVE_AT[name]) : inst;
        const naive = run(small, 'naive');
        expect(outcomesOf(small, naive)).toEqual(small.expect);
        if (small !== inst) expect(outcomesOf(small, run(small, 'dfs'))).toEqual(small.expect);
      });
    }
  }

  test('every model declares a property of its own besides deadlock freedom', () => {
    for (const name of CLASSIC) expect(instantiate(model(name)).program.properties.length).toBeGreaterThan(0);
  });

  test('params are validated against their ranges', () => {
    expect(() => instantiate(model('philosophers'), 'naive', { n: 1 })).toThrow(/must be an integer in 2..8/);
    expect(() => instantiate(model('readers'), undefined, { n: 17 })).toThrow(/1..16/);
    expect(instantiate(model('indexer')).params).toEqual({ n: 4 });
    expect(instantiate(model('filesystem')).params).toEqual({ n: 4 });
    expect(instantiate(model('lastzero')).params).toEqual({ n: 3 });
  });
});

describe('classic models: pinned state counts', () => {
  // Pinned with the compiler's reductions off (and checked equal with them on: the classic
  // models have no scoped locals and no thread-local steps to merge).
  const counts = (name: string, variant: string | undefined, n?: number) => {
    const params: Record<string, number> = n === undefined ? {} : { n };
    const inst = instantiateWith(model(name), NO_REDUCTIONS, variant, params);
    const pinned = [states(run(inst, 'naive')), states(run(inst, 'dfs'))];
    const reduced = instantiate(model(name), variant, params);
    expect([states(run(reduced, 'naive')), states(run(reduced, 'dfs'))]).toEqual(pinned);
    return pinned;
  };

  test('every classic model is written in the model language', () => {
    for (const name of CLASSIC) expect(isLangModel(model(name))).toBe(true);
  });

  test('readers: naive 2^n + 3^n states', () => {
    // Before the write each reader has read nothing or 0 (2^n states); after it, nothing, 0 or
    // 42 (3^n). The dfs count is (n + 4)·2^(n-1) (observed; 2^n Mazurkiewicz traces). Without
    // symmetry reduction (the readers declare themselves interchangeable):
    const plain = (n: number) => {
      const inst = instantiate(model('readers'), undefined, { n });
      return [states(run(inst, 'naive', { symmetry: false })), states(run(inst, 'dfs', { symmetry: false }))];
    };
    expect([1, 2, 3].map(plain)).toEqual([
      [5, 5],
      [13, 12],
      [35, 28],
    ]);
  });

  test('readers with symmetry: one state per multiset of reader states', () => {
    // Up to a permutation of the readers a state is how many readers read (n + 1 choices before
    // the write) or a multiset of {nothing, 0, 42} over n readers after it ((n+2)(n+1)/2):
    // (n + 1) + (n + 2)(n + 1)/2 states, and both naive and dfs store exactly that many.
    const orbits = (n: number) => n + 1 + ((n + 2) * (n + 1)) / 2;
    expect([1, 2, 3, 4, 5].map((n) => counts('readers', undefined, n))).toEqual(
      [1, 2, 3, 4, 5].map((n) => [orbits(n), orbits(n)]),
    );
  });

  test('philosophers: naive and ordered', () => {
    expect([2, 3].map((n) => counts('philosophers', 'naive', n))).toEqual([
      [19, 18],
      [87, 66],
    ]);
    expect([2, 3].map((n) => counts('philosophers', 'ordered', n))).toEqual([
      [16, 16],
      [72, 60],
    ]);
  });

  test('indexer and filesystem: threads are independent at small sizes, one interleaving suffices', () => {
    // A thread is 12 steps (indexer: lock, test-and-set, unlock × 4 messages) or 8 steps
    // (filesystem), i.e. 13 or 9 positions; positions are independent, hence 13^n and 9^n naive
    // states. The reduced search runs one interleaving: 12n + 1 and 8n + 1 states.
    expect([1, 2, 3].map((n) => counts('indexer', undefined, n))).toEqual([
      [13, 13],
      [169, 25],
      [2197, 37],
    ]);
    expect([1, 2, 3].map((n) => counts('filesystem', undefined, n))).toEqual([
      [9, 9],
      [81, 17],
      [729, 25],
    ]);
  });

  test('lastzero and peterson', () => {
    expect([1, 2, 3].map((n) => counts('lastzero', undefined, n))).toEqual([
      [8, 8],
      [33, 26],
      [130, 78],
    ]);
    expect(counts('peterson', 'peterson')).toEqual([42, 34]);
    expect(counts('peterson', 'no-turn')).toEqual([36, 32]);
  });
});

/** An instance with the threads' start locals replaced and extra (probe) properties added. */
function variantOf(
  inst: Instance,
  locals: (l: Record<string, unknown>, k: number) => unknown,
  probes: Property[],
): Instance {
  const threads = inst.program.threads.map((t, k) => ({
    ...t,
    locals: locals(t.locals as Record<string, unknown>, k),
  }));
  const expectAll: Record<string, 'holds'> = {};
  for (const p of probes) expectAll[p.name] = 'holds';
  return {
    ...inst,
    program: { ...inst.program, threads, properties: [...inst.program.properties, ...probes] },
    properties: [...inst.program.properties, ...probes, ...inst.properties.slice(inst.program.properties.length)],
    expect: { ...inst.expect, ...expectAll },
  };
}
/** A probe: "the run never ends in a state where `hit`" — violated iff such a terminal state is reachable. */
type Arrays = Readonly<Record<string, readonly number[]>>;
const probe = (name: string, hit: (v: StateView<Arrays>) => boolean): Property =>
  endState<Arrays>(name, name, (v) => (hit(v) ? 'reached' : null));
/** A thread's local, read by a probe. */
const localOf = (v: StateView<Arrays>, t: number, name: string): unknown =>
  (v.threads[t].l as Record<string, unknown>)[name];

describe('classic models: dfs reaches the terminal states naive reaches', () => {
  const agree = (inst: Instance) => {
    const naive = outcomesOf(inst, run(inst, 'naive'));
    const dfs = outcomesOf(inst, run(inst, 'dfs'));
    expect(Object.values(naive)).toContain('violated');
    expect(Object.values(naive)).toContain('holds');
    expect(dfs).toEqual(naive);
  };

  test('filesystem with inodes 0, 13, 26: all three threads start at block 0 and probe', () => {
    const inodes = [0, 13, 26];
    const probes: Property[] = [];
    for (const i of inodes)
      for (let b = 0; b < 4; b++) probes.push(probe(`inode${i}-gets-block${b}`, (v) => v.s.inode[i] === b + 1));
    agree(variantOf(instantiate(model('filesystem'), undefined, { n: 3 }), (l, k) => ({ ...l, i: inodes[k] }), probes));
  });

  test('indexer with three threads hashing to slots 52, 52, 53', () => {
    const start = [
      [3, 52],
      [4, 52],
      [4, 53],
    ];
    const probes: Property[] = [];
    for (let k = 0; k < 3; k++)
      for (let h = 52; h < 57; h++) probes.push(probe(`thread${k}-at-${h}`, (v) => v.s.table[h] === 44 + k));
    const inst = variantOf(
      instantiate(model('indexer'), undefined, { n: 3 }),
      (_l, k) => ({ m: start[k][0], w: 11 * start[k][0] + k, h: start[k][1] }),
      probes,
    );
    // inserted-once expects all four messages of each thread: not meaningful for these start locals.
    agree({ ...inst, properties: inst.properties.filter((p) => p.name !== 'inserted-once') });
  });

  test('readers n=3: which values each reader can end with', () => {
    const probes: Property[] = [];
    for (let r = 1; r <= 3; r++)
      for (const x of [0, 42]) probes.push(probe(`reader${r}-reads-${x}`, (v) => localOf(v, r, 'r') === x));
    probes.push(probe('readers-disagree', (v) => new Set([1, 2, 3].map((t) => localOf(v, t, 'r'))).size === 2));
    agree(variantOf(instantiate(model('readers'), undefined, { n: 3 }), (l) => l, probes));
  });

  // Regression: the schedule thread2, thread2, thread0, thread0, thread1, thread1 ends with
  // thread 0 stopped at i = 1. The race between thread1's store of array[1] and thread0's read of
  // it must be reversed from a state where thread0 sleeps; only thread2 can start the reversal
  // (source-DPOR initials), which the plain Flanagan–Godefroid rule with sleep sets missed.
  test('lastzero n=2: thread 0 can stop at every index', () => {
    const probes: Property[] = [];
    for (let i = 0; i <= 2; i++) probes.push(probe(`thread0-stops-at-${i}`, (v) => localOf(v, 0, 'i') === i));
    agree(variantOf(instantiate(model('lastzero'), undefined, { n: 2 }), (l) => l, probes));
  });
});
