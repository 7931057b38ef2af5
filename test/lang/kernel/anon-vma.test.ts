import { describe, expect, test } from '@jest/globals';
import { commit, evaluate, goto_, layout, step, thread, when, type Body, type Ctx } from '../../../src/lang/index.js';
import { langProgram } from '../helpers.js';
import {
  AVC_LIST,
  anonVmaLock,
  anonVmaSpec,
  anonVmaUnlock,
  avcAddTail,
  avcLoop,
  avcWalkNext,
} from '../../../src/lang/kernel/anon-vma.js';

// An anon_vma whose same_anon_vma list is A, B and may gain C at the tail.
const l = layout({
  av: anonVmaSpec([
    ['A', 'B'],
    ['A', 'B', 'C'],
  ]),
});
const av = l.refs.av;
const s0 = l.defaults;
type S = typeof s0;
const run = (s: S, tid: number, body: Body<object>) => evaluate(l, body, s, {}, tid);

describe('an anon_vma: its lock and its list', () => {
  test('the list starts as the first of its domain; the lock is free', () => {
    expect(s0.av).toEqual({ lock: -1, head: ['A', 'B'] });
  });
  test('anon_vma_lock waits while another thread holds it; the unlock of a lock not held is lock-misuse', () => {
    const held = commit(
      s0,
      run(s0, 0, (c) => anonVmaLock(c, av)),
    );
    expect(held.av.lock).toBe(0);
    expect(run(held, 1, (c) => anonVmaLock(c, av)).blocked).toBe(true);
    expect(run(held, 1, (c) => anonVmaUnlock(c, av)).violation?.property).toBe('lock-misuse');
    expect(
      commit(
        held,
        run(held, 0, (c) => anonVmaUnlock(c, av)),
      ).av.lock,
    ).toBe(-1);
  });
  test('the lock is lockdep class anon_vma for every instance', () => {
    expect(run(s0, 0, (c) => anonVmaLock(c, av)).lockOps).toEqual([
      { op: 'acquire', cls: 'anon_vma', inst: 'av.lock' },
    ]);
  });
  test('anon_vma_chain_link adds at the tail; a list outside the domain is refused', () => {
    const s1 = commit(
      s0,
      run(s0, 0, (c) => avcAddTail(c, av, 'C')),
    );
    expect(s1.av.head).toEqual(['A', 'B', 'C']);
    expect(() => run(s1, 0, (c) => avcAddTail(c, av, 'D'))).toThrow(/outside its domain/);
  });
});

describe('list_for_each_entry over same_anon_vma, one avc per step', () => {
  const next = (s: S, cur: string | null) => run(s, 0, (c) => avcWalkNext(c, av, cur));
  test('from the head to each avc in order, then back at the head (null)', () => {
    expect([null, 'A', 'B'].map((cur) => next(s0, cur).value)).toEqual(['A', 'B', null]);
    expect(next(s0, 'A').footprint).toEqual([{ loc: 'av.head', write: false }]);
  });
  test('an avc linked at the tail during the walk is visited', () => {
    const s1 = commit(
      s0,
      run(s0, 1, (c) => avcAddTail(c, av, 'C')),
    );
    expect(next(s1, 'B').value).toBe('C');
  });
  test('a cursor whose avc is no longer on the list follows LIST_POISON: the anon-vma-list BUG', () => {
    const e = next(s0, 'Z');
    expect(e.violation).toEqual({
      property: AVC_LIST,
      message: 'list_for_each_entry: avc of Z was unlinked under the walker (LIST_POISON1)',
    });
  });
});

describe('list_for_each_entry over the avcs as a loop', () => {
  type W = { cur: string | null; seen: string };
  const advance = (c: Ctx<W>) => (c.let({ cur: avcWalkNext(c, av, c.l.cur) }), !c.l.cur);
  const block = avcLoop<W>('walk', 'next', 'done', advance, [
    when<W>('walk: skip B', (c) => c.l.cur === 'B', [goto_('next')]),
    step<W>('walk: visit', (c) => c.let({ seen: c.l.seen + c.l.cur })),
  ]);
  test('the body runs once per avc in list order; a goto to the loop label is continue; the loop ends at its label', () => {
    const inst = langProgram(() => ({
      layout: l,
      threads: [thread<W>('t', { cur: null, seen: '' }, block)],
      properties: [],
    }));
    const steps = inst.program.threads[0].steps;
    expect(steps[0].label).toBe('walk: list_for_each_entry: next avc');
    let [s, w, pc, n] = [s0 as unknown, { cur: null, seen: '' } as W, 0, 0];
    while (pc < steps.length && n++ < 20) {
      const out = steps[pc].run(s, w, 0);
      [s, w] = [out.s ?? s, (out.l as W) ?? w];
      pc = typeof out.goto === 'number' ? out.goto : pc + 1;
    }
    expect(w).toEqual({ cur: null, seen: 'A' });
  });
});
