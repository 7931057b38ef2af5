/**
 * Merging of lock-protected sections (src/lang/section.ts) and the lock discipline that makes it
 * sound (src/lang/discipline.ts): exact counts on tiny programs, derived by hand.
 */
import { describe, expect, test } from '@jest/globals';
import { ModelError } from '../../src/core/errors.js';
import { endState, invariant, type Property } from '../../src/core/property.js';
import { explore } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import {
  ALL_REDUCTIONS,
  guardedBy,
  int,
  layout,
  NO_REDUCTIONS,
  spinlock,
  spinLock,
  spinTrylock,
  spinUnlock,
  step,
  thread,
  type Block,
  type LangStep,
  type Reductions,
} from '../../src/lang/index.js';
import { langProgram } from './helpers.js';

const shared = layout({ x: int(0, 3), k: spinlock(), g: guardedBy('k', int(0, 3)) });
const { x, k, g } = shared.refs;
type S = typeof shared.defaults;
interface L {
  readonly a: number;
}

const full = { stopAtFirst: false } as const;
const stats = (r: SearchResult) => {
  if (r.kind === 'error') throw new Error(r.message);
  return r.stats;
};
const states = (r: SearchResult) => stats(r).states;
const build = (writer: Block<L>, red: Reductions, properties: Property<S>[] = []) =>
  langProgram(
    () => ({
      layout: shared,
      threads: [
        thread<L>('writer', { a: 0 }, writer),
        thread<L>('reader', { a: 0 }, [step('a = x (lockless)', (c) => c.let({ a: c.get(x) }))]),
      ],
      properties,
      // The reader's `a` is read by a property: kept, so that the counts below are the writer's.
      observes: { locals: ['a'] },
    }),
    red,
  );

/** lock k; g = 1; x = 1; unlock k — one access to unguarded x: the whole section is one step. */
const section: Block<L> = [
  step('lock k', (c) => spinLock(c, k)),
  step('g = 1', (c) => c.set(g, 1)),
  step('x = 1', (c) => c.set(x, 1)),
  step('unlock k', (c) => spinUnlock(c, k)),
];

describe('locked sections', () => {
  test('a section with one unguarded access is one step', () => {
    // Off: the writer's 5 positions with the reader before its load (5), after it having read
    // 0 (the writer at 0..2 when it read, then on to 4: 5) or 1 (the writer at 3..4: 2): 12.
    // On: the writer at start or end: 2 + read 0 (2) + read 1 (1): 5.
    const off = build(section, NO_REDUCTIONS);
    const on = build(section, ALL_REDUCTIONS);
    expect(states(explore(off, { strategy: 'naive', ...full }))).toBe(12);
    expect(states(explore(on, { strategy: 'naive', ...full }))).toBe(5);
    for (const strategy of ['dfs', 'bfs', 'odpor'] as const)
      expect(explore(on, { strategy, ...full }).kind).toBe('pass');
  });

  test('the merged step keeps its label and names its parts in a note', () => {
    const st = build(section, ALL_REDUCTIONS).program.threads[0].steps[0] as LangStep<L>;
    expect(st.label).toBe('lock k');
    expect(st.note?.(shared.defaults, { a: 0 }, 0, ['writer', 'reader'])).toBe(
      'one step with the rest of its locked section: g = 1; x = 1; unlock k',
    );
    expect(st.footprint(shared.defaults, { a: 0 }, 0).map((f) => `${f.loc}${f.write ? '!' : ''}`)).toEqual([
      'k!',
      'g!',
      'x!',
    ]);
  });

  test('two unguarded accesses keep the window between them (try_to_migrate_one clear, set)', () => {
    // x = 1 then x = 2 under k: a lockless reader must still see 1.
    const twice: Block<L> = [
      step('lock k', (c) => spinLock(c, k)),
      step('x = 1', (c) => c.set(x, 1)),
      step('x = 2', (c) => c.set(x, 2)),
      step('unlock k', (c) => spinUnlock(c, k)),
    ];
    const sawOne = endState<S>('never-1', 'the reader never sees x = 1', (v) =>
      v.threads[1].l.a === 1 ? 'the reader saw x = 1' : null,
    );
    for (const red of [NO_REDUCTIONS, ALL_REDUCTIONS]) {
      const r = explore(build(twice, red, [sawOne]), { strategy: 'naive', ...full });
      expect([red.mergeLocked, r.kind]).toEqual([red.mergeLocked, 'violation']);
    }
    // On: lock and x = 1 are one step; x = 2 and the unlock run on their own.
    const on = build(twice, ALL_REDUCTIONS);
    const st = on.program.threads[0].steps[0] as LangStep<L>;
    expect(st.note?.(shared.defaults, { a: 0 }, 0, [])).toBe('one step with the rest of its locked section: x = 1');
    // Writer positions start, after x = 1, after x = 2, end (4) × reader before (4) + read 0 (4)
    // + read 1 (3) + read 2 (2) = 13; off: 5 + 5 + 3 + 2 = 15 (the state after the lock goes).
    expect(states(explore(on, { strategy: 'naive', ...full }))).toBe(13);
    expect(states(explore(build(twice, NO_REDUCTIONS), { strategy: 'naive', ...full }))).toBe(15);
  });

  test('an invariant that reads a guarded field keeps the section apart', () => {
    const sees = invariant<S>('g-not-1', 'g is never 1 for long', ['g'], () => null);
    expect(states(explore(build(section, ALL_REDUCTIONS, [sees]), { strategy: 'naive', ...full }))).toBe(12);
    const blind = invariant<S>('x-small', 'x <= 1', ['x'], (v) => (v.s.x <= 1 ? null : 'x > 1'));
    expect(states(explore(build(section, ALL_REDUCTIONS, [blind]), { strategy: 'naive', ...full }))).toBe(5);
  });

  test('a blocked part ends the merged step before it; the deadlock is still found', () => {
    // lock k; await g == 1 (never): the writer sleeps holding k; the reader finishes: deadlock.
    const stuck: Block<L> = [
      step('lock k', (c) => spinLock(c, k)),
      step('await g == 1', (c) => c.await(c.get(g) === 1)),
      step('unlock k', (c) => spinUnlock(c, k)),
    ];
    for (const red of [NO_REDUCTIONS, ALL_REDUCTIONS]) {
      const r = explore(build(stuck, red), { strategy: 'naive', ...full });
      expect([red.mergeLocked, r.kind === 'violation' && r.violation.property]).toEqual([
        red.mergeLocked,
        'deadlock-free',
      ]);
    }
  });

  test('what ends a merge is in the footprint: the partial-order reduction sees it', () => {
    // lock k; await x == 1; unlock k. With x = 0 the await ends the merge (the lock alone runs),
    // with x = 1 the whole section runs: the step depends on x, so its footprint reads x.
    const waits: Block<L> = [
      step('lock k', (c) => spinLock(c, k)),
      step('await x == 1', (c) => c.await(c.get(x) === 1)),
      step('unlock k', (c) => spinUnlock(c, k)),
    ];
    const st = build(waits, ALL_REDUCTIONS).program.threads[0].steps[0] as LangStep<L>;
    const fp = (s: S) => st.footprint(s, { a: 0 }, 0).map((f) => `${f.loc}${f.write ? '!' : ''}`);
    expect(fp(shared.defaults)).toEqual(['k!', 'x']);
    expect(fp(shared.state({ x: 1 }))).toEqual(['k!', 'x']);
    expect(st.note?.(shared.defaults, { a: 0 }, 0, [])).toBeNull();
  });

  test('the compiled engine merges the same sections', () => {
    const on = build(section, ALL_REDUCTIONS);
    const ref = explore(on, { strategy: 'naive', ...full, symmetry: false });
    const vec = explore(on, { strategy: 'naive', ...full, engine: 'compiled' });
    expect([states(vec), stats(vec).transitions]).toEqual([5, stats(ref).transitions]);
    expect(states(ref)).toBe(5);
  });
});

describe('the lock discipline', () => {
  // Each writer below breaks it when run alone: the pre-pass refuses the model before the search
  // (src/lang/prepass.ts; test/lang/prepass.test.ts has one that only the search can find).
  const error = (writer: Block<L>, red: Reductions = ALL_REDUCTIONS) => {
    try {
      build(writer, red);
    } catch (e) {
      return e instanceof ModelError ? [e.code, e.message] : ['threw', String(e)];
    }
    return ['accepted'];
  };

  test('a guarded field touched without its lock is a model error naming the step', () => {
    for (const red of [NO_REDUCTIONS, ALL_REDUCTIONS])
      expect(error([step('g = 1', (c) => c.set(g, 1))], red)).toEqual([
        'lock-discipline',
        "model 'test' variant 'default' thread 'writer' step 'g = 1': accesses g without holding k (the layout declares it guardedBy('k'))",
      ]);
  });

  test('a guarded field read after the unlock in the same step is refused too', () => {
    expect(
      error([
        step('lock k', (c) => spinLock(c, k)),
        step('unlock k; a = g', (c) => (spinUnlock(c, k), c.let({ a: c.get(g) }))),
      ])[0],
    ).toBe('lock-discipline');
  });

  test('a declared lock is taken by spin_lock only: a trylock or a plain read is refused', () => {
    expect(error([step('trylock k', (c) => void spinTrylock(c, k))])).toEqual([
      'lock-discipline',
      "model 'test' variant 'default' thread 'writer' step 'trylock k': touches the lock k other than by spin_lock/spin_unlock (a declared lock: no spin_trylock, no plain read)",
    ]);
    expect(error([step('spin_is_locked(k)', (c) => c.let({ a: c.get(k) === -1 ? 0 : 1 }))])[0]).toBe('lock-discipline');
  });

  test('a guarded declaration names a field of the layout, a lock of its own', () => {
    expect(() => layout({ g: guardedBy('nope', int(0, 1)) })).toThrow(
      "guardedBy('nope') on g: the layout has no such field",
    );
    expect(() => layout({ k: int(0, 1), g: guardedBy('k', int(0, 1)) })).toThrow(
      "guardedBy('k') on g: the lock must be a spinlock() or tid() field",
    );
  });
});
