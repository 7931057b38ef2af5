/**
 * Compilation of structured code to the step machine: control flow costs no step, sub-paths are
 * inlined with their call chain, labels name steps, and bad code is refused before the search.
 * Exact counts on tiny programs, derived by hand.
 */
import { describe, expect, test } from '@jest/globals';
import { assertion } from '../../src/core/property.js';
import { explore } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import {
  break_,
  call,
  exit,
  goto_,
  if_,
  int,
  label,
  layout,
  local,
  localWhen,
  loop,
  NO_REDUCTIONS,
  return_,
  scope,
  spinLock,
  spinUnlock,
  step,
  sub,
  thread,
  tid,
  when,
  while_,
  type Block,
  type LangStep,
  type Node,
} from '../../src/lang/index.js';
import { langProgram } from './helpers.js';

const counts = (r: SearchResult) => {
  if (r.kind === 'error') throw new Error(r.message);
  return { kind: r.kind, states: r.stats.states, transitions: r.stats.transitions };
};
const full = { stopAtFirst: false } as const;

const shared = layout({ x: int(0, 9), k: tid() });
const { x, k } = shared.refs;
interface L {
  readonly n: number;
  readonly bail: boolean;
}

describe('structured code compiles to steps', () => {
  test('a while loop over a local: one step per iteration, the test costs nothing', () => {
    // while (n < 2) { x++; n++ } ; x = 9 — steps inc, inc, set: 4 states in a line.
    const body: Block<L> = [
      while_<L>((l) => l.n < 2, [step('inc', (c) => (c.set(x, c.get(x) + 1), c.let({ n: c.l.n + 1 })))]),
      step('set', (c) => c.set(x, 9)),
    ];
    const inst = langProgram(() => ({
      layout: shared,
      threads: [thread('T0', { n: 0, bail: false }, body)],
      properties: [],
    }));
    expect(inst.program.threads[0].steps.map((s) => s.label)).toEqual(['inc', 'set']);
    expect(counts(explore(inst, { strategy: 'naive', ...full }))).toEqual({ kind: 'pass', states: 4, transitions: 3 });
  });

  test('sub-paths are inlined with their call chain; return, labels and goto work across them', () => {
    const fault = sub<L>('shmem_fault', [
      step('shmem_fault: x++', (c) => c.set(x, c.get(x) + 1)),
      if_((l) => l.bail, [return_()]),
      step('shmem_fault: x += 2', (c) => c.set(x, c.get(x) + 2)),
    ]);
    const doFault = sub<L>('do_fault', [call(fault)]);
    const body: Block<L> = [
      label('again'),
      call(doFault),
      step('handle_mm_fault: n++, bail', (c) => c.let({ n: c.l.n + 1, bail: true })),
      if_((l) => l.n < 2, [goto_('again')]),
    ];
    const inst = langProgram(() => ({
      layout: shared,
      threads: [thread('T0', { n: 0, bail: false }, body)],
      properties: [],
    }));
    const steps = inst.program.threads[0].steps as readonly LangStep<L>[];
    expect(steps.map((s) => [s.label, s.chain.join(' → '), s.name])).toEqual([
      ['shmem_fault: x++', 'do_fault → shmem_fault', 'again'],
      ['shmem_fault: x += 2', 'do_fault → shmem_fault', undefined],
      ['handle_mm_fault: n++, bail', '', undefined],
    ]);
    // x++, x += 2, n++ (again), x++, (bail: return) n++ — x = 4, 6 states in a line.
    const r = explore(inst, { strategy: 'naive', ...full });
    expect(counts(r)).toEqual({ kind: 'pass', states: 6, transitions: 5 });
  });

  test('a branch step chooses then/else from what it read', () => {
    // T0: if (x == 0) { x = 1 } else exit; T1: x = 2. Naive: init; T0 read 0 → at "x = 1";
    // T1 first → x = 2 then T0 exits.
    const t0: Block<L> = [when('x == 0?', (c) => c.get(x) === 0, [step('x = 1', (c) => c.set(x, 1))], [exit()])];
    const inst = langProgram(() => ({
      layout: shared,
      threads: [thread('T0', { n: 0, bail: false }, t0), thread<object>('T1', {}, [step('x = 2', (c) => c.set(x, 2))])],
      properties: [],
    }));
    // States (pc0, pc1, x): (0,0,0) (1,0,0) (0,1,2) (2,0,1) (1,1,2) (2,1,2) [T0 read 0, T1 wrote 2,
    // T0 writes 1] (2,1,1)... enumerate: from (0,0,0): T0 → (1,0,0), T1 → (0,1,2).
    // (1,0,0): T0 → (2,0,1), T1 → (1,1,2). (0,1,2): T0 reads 2 → exit (2,1,2).
    // (2,0,1): T1 → (2,1,2). (1,1,2): T0 → (2,1,1). Total 7 states, 7 transitions.
    expect(counts(explore(inst, { strategy: 'naive', ...full }))).toEqual({ kind: 'pass', states: 7, transitions: 7 });
  });

  test('a local computation that decides a branch is one step off, control flow on', () => {
    // n = 0: localWhen sets n = 1 and takes then (x = n); otherwise x = 2 (never here).
    const body: Block<L> = [
      localWhen<L>(
        'n++, first?',
        (l) => [{ n: l.n + 1 }, l.n === 0],
        [step('x = 1', (c) => c.set(x, c.l.n))],
        [step('x = 2', (c) => c.set(x, 2))],
      ),
    ];
    const build = () => ({
      layout: shared,
      threads: [thread('T0', { n: 0, bail: false }, body)],
      properties: [],
      observes: {},
    });
    const off = langProgram(build, NO_REDUCTIONS);
    expect(off.program.threads[0].steps.map((s) => s.label)).toEqual(['n++, first?', 'x = 1', 'x = 2']);
    expect(counts(explore(off, { strategy: 'naive', ...full }))).toEqual({ kind: 'pass', states: 3, transitions: 2 });
    const on = langProgram(build);
    expect(on.program.threads[0].steps.map((s) => s.label)).toEqual(['x = 1', 'x = 2']);
    expect(on.program.threads[0].locals).toEqual({ n: 1, bail: false });
    expect(counts(explore(on, { strategy: 'naive', ...full }))).toEqual({ kind: 'pass', states: 2, transitions: 1 });
  });

  test('a lock-protected increment: the same 12 states and transitions as the hand-written program', () => {
    // See test/explore/counts.test.ts, 'a lock-protected critical section in two threads'.
    const body: Block<L> = [
      step('lock k', (c) => spinLock(c, k)),
      step('x++', (c) => c.set(x, c.get(x) + 1)),
      step('unlock k', (c) => spinUnlock(c, k)),
    ];
    const inst = langProgram(() => ({
      layout: shared,
      threads: [thread('T0', { n: 0, bail: false }, body), thread('T1', { n: 0, bail: false }, body)],
      properties: [assertion('lock-misuse', 'unlock by a non-owner')],
    }));
    for (const strategy of ['naive', 'dfs', 'bfs'] as const)
      expect(counts(explore(inst, { strategy, ...full }))).toEqual({ kind: 'pass', states: 12, transitions: 12 });
  });
});

describe('bad code is refused before the search, in one line', () => {
  const refused = (body: Block<L>) => {
    try {
      langProgram(() => ({ layout: shared, threads: [thread('T0', { n: 0, bail: false }, body)], properties: [] }));
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };
  const s = step<L>('s', (c) => c.set(x, 1));

  test('a jump to an unknown label', () => {
    expect(refused([s, goto_('nowhere')])).toBe(
      "model 'test' variant 'default' thread 'T0' step 's': after it, goto_('nowhere'): no such label",
    );
    expect(refused([goto_('nowhere'), s])).toBe(
      "model 'test' variant 'default' thread 'T0': at its start, goto_('nowhere'): no such label",
    );
  });
  test('a jump into another sub-path', () => {
    expect(refused([label('top'), call(sub('f', [s, goto_('top')]))])).toMatch(
      "goto_('top'): no such label in sub-path 'f'",
    );
  });
  test('break outside a loop, a label twice, recursion', () => {
    expect(refused([s, break_()])).toMatch('break_() outside a loop');
    expect(refused([label('a'), s, label('a')])).toMatch("label 'a' is defined twice");
    const body: Node<L>[] = [];
    const f = sub<L>('f', body);
    body.push(s, call(f));
    expect(refused([call(f)])).toMatch("sub-path 'f' calls itself");
  });
  test('a dead end: a loop that runs no step', () => {
    expect(refused([s, label('spin'), goto_('spin')])).toBe(
      "model 'test' variant 'default' thread 'T0' step 's': after it, dead end: a loop at label 'spin' runs no step",
    );
    expect(refused([s, while_(() => true, [])])).toMatch('dead end: a loop runs no step');
  });
  test('a step no path reaches', () => {
    expect(refused([s, exit(), step('after', (c) => c.set(x, 2))])).toBe(
      "model 'test' variant 'default' thread 'T0' step 'after': unreachable: no path reaches this step",
    );
    expect(refused([loop([s]), step('after', (c) => c.set(x, 2))])).toMatch(
      "step 'after': unreachable: no path reaches this step",
    );
  });
  test('a value outside its domain, when the thread alone reaches it, is refused before the search', () => {
    expect(refused([step('x = 10', (c) => c.set(x, 10))])).toBe(
      "model 'test' variant 'default' thread 'T0' step 'x = 10': set x = 10 is outside its domain (0..9)",
    );
  });
});

describe('reductions', () => {
  interface M {
    readonly v: number;
    readonly t: number;
  }
  const body: Block<M> = [
    loop([
      scope<M>({ v: 0 }, [
        step('v = x', (c) => c.let({ v: c.get(x) })),
        local('t = v + 1', (l) => ({ t: Math.min(l.v + 1, 3) })),
        step('x = t', (c) => c.set(x, c.l.t)),
      ]),
      if_((l) => l.t >= 3, [break_()]),
    ]),
  ];
  const build = () => ({
    layout: shared,
    threads: [thread('T0', { v: 0, t: 0 }, body)],
    properties: [],
    observes: {},
  });

  test('off: the local computation is a step and dead locals are kept', () => {
    const inst = langProgram(build, NO_REDUCTIONS);
    expect(inst.program.threads[0].steps.map((s) => s.label)).toEqual(['v = x', 't = v + 1', 'x = t']);
    // 3 rounds of 3 steps, 10 states in a line.
    expect(counts(explore(inst, { strategy: 'naive', ...full }))).toEqual({ kind: 'pass', states: 10, transitions: 9 });
  });

  test('on: the local computation is merged and v is reset outside its scope', () => {
    const inst = langProgram(build);
    expect(inst.program.threads[0].steps.map((s) => s.label)).toEqual(['v = x', 'x = t']);
    const r = explore(inst, { strategy: 'naive', ...full });
    expect(counts(r)).toEqual({ kind: 'pass', states: 7, transitions: 6 });
  });

  test('locals the properties read are never reset, and merging needs unobserved positions', () => {
    const inst = langProgram(() => ({ ...build(), observes: { locals: ['v'] } }));
    expect(inst.program.threads[0].steps.map((s) => s.label)).toEqual(['v = x', 't = v + 1', 'x = t']);
    expect(langProgram(() => ({ ...build(), observes: undefined })).program.threads[0].steps).toHaveLength(3);
  });
});
