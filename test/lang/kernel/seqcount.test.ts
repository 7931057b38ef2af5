import { describe, expect, test } from '@jest/globals';
import {
  array,
  commit,
  evaluate,
  int,
  layout,
  NO_REDUCTIONS,
  step,
  thread,
  type Body,
} from '../../../src/lang/index.js';
import { lockOrder } from '../../../src/analysis/lock-order.js';
import {
  rawReadSeqcount,
  readSeqcountBegin,
  readSeqcountRetry,
  seqcountProperties,
  seqcountSpec,
  type Seqcount,
  writeSeqcountBeginLoad,
  writeSeqcountBeginStore,
  writeSeqcountEndLoad,
  writeSeqcountEndStore,
  writeSeqcountSections,
  writeSeqcountSteps,
} from '../../../src/lang/kernel/seqcount.js';
import { explore } from '../../../src/explore/explore.js';
import { langProgram } from '../helpers.js';
import { verdicts } from '../../../src/explore/results/verdicts.js';

const l = layout({ seq: array(2, seqcountSpec(2)) });
const sc = l.refs.seq.at(0);
const s0 = l.state();
type S = typeof s0;
type L = { seq: number };

const run = (s: S, body: Body<L>, t = 0, loc: L = { seq: 0 }) => {
  const e = evaluate(l, body, s, loc, t);
  return { e, s: e.blocked ? s : commit(s, e) };
};

describe('a write section is `sequence++` twice, each a load and a store', () => {
  test('begin: the load reads, the store makes the count odd with one writer inside, then the lockdep acquire', () => {
    const load = run(s0, (c) => writeSeqcountBeginLoad(c, sc));
    expect([load.e.value, load.e.footprint]).toEqual([0, [{ loc: 'seq[0]', write: false }]]);
    const w = { cls: 'vm_seq', subclass: 1 };
    const store = run(s0, (c) => writeSeqcountBeginStore(c, sc, 0, w));
    expect(store.s.seq[0]).toEqual({ sequence: 1, writers: 1, began: 1 });
    expect(store.e.lockOps).toEqual([{ op: 'acquire', cls: 'vm_seq/1', inst: 'seq[0]#1' }]);
    expect(store.e.footprint).toEqual([{ loc: 'seq[0]', write: true }]);
  });
  test('end: the lockdep release comes with the load; the store makes it even again', () => {
    const open = l.state({ seq: [{ sequence: 1, writers: 1, began: 1 }, {}] });
    const load = run(open, (c) => writeSeqcountEndLoad(c, sc, { cls: 'vm_seq' }));
    expect([load.e.value, load.e.lockOps]).toEqual([1, [{ op: 'release', cls: 'vm_seq', inst: 'seq[0]#0' }]]);
    expect(run(open, (c) => writeSeqcountEndStore(c, sc, 1)).s.seq[0]).toEqual({ sequence: 2, writers: 0, began: 1 });
  });
  test('raw_ sections (no class) are invisible to lockdep', () => {
    expect(run(s0, (c) => writeSeqcountBeginStore(c, sc, 0)).e.lockOps).toEqual([]);
  });
});

describe('readers', () => {
  const odd = l.state({ seq: [{ sequence: 3, writers: 1, began: 2 }, {}] });
  test('raw_read_seqcount samples once, odd or not; read_seqcount_retry compares with the sample', () => {
    expect(run(odd, (c) => rawReadSeqcount(c, sc)).e.value).toBe(3);
    expect(run(odd, (c) => readSeqcountRetry(c, sc, 3)).e.value).toBe(false);
    expect(run(odd, (c) => readSeqcountRetry(c, sc, 2)).e.value).toBe(true);
  });
  test('read_seqcount_begin spins (blocks) while odd, after its lockdep reader access', () => {
    const r = run(odd, (c) => readSeqcountBegin(c, sc, 'vm_seq'));
    expect(r.e.blocked).toBe(true);
    expect(r.e.lockOps).toEqual([
      { op: 'acquire', cls: 'vm_seq', inst: 'seq[0]#read', read: true },
      { op: 'release', cls: 'vm_seq', inst: 'seq[0]#read' },
    ]);
    expect(run(s0, (c) => readSeqcountBegin(c, sc)).e).toMatchObject({ blocked: false, value: 0, lockOps: [] });
  });
});

describe('in a program: two writers that nothing serialises lose an increment', () => {
  // Each thread opens and closes one write section on count 0 (four steps). Interleaved, both
  // can load the same count: the parity flips and the end count is short.
  const program = () => ({
    layout: l,
    threads: ['w0', 'w1'].map((n) =>
      thread<L>(n, { seq: 0 }, [writeSeqcountSteps<L>('begin', sc, false), writeSeqcountSteps<L>('end', sc, true)]),
    ),
    properties: seqcountProperties<S>('seq', (s) => s.seq, ['count0', 'count1']),
    observes: {},
  });
  test('every property is violated, with the primitive’s messages (exact states)', () => {
    const inst = langProgram(program);
    const r = explore(inst, { strategy: 'naive', stopAtFirst: false });
    if (r.kind !== 'violation') throw new Error(r.kind);
    expect(r.stats.states).toBe(66);
    // Without the dead-local reset each thread keeps the count it loaded last.
    const off = explore(langProgram(program, NO_REDUCTIONS), { strategy: 'naive', stopAtFirst: false });
    expect(off.kind !== 'error' && off.stats.states).toBe(75);
    expect(verdicts(inst, r).map((v) => [v.property, v.outcome])).toEqual([
      ['writer-exclusive', 'violated'],
      ['seqcount-parity', 'violated'],
      ['seqcount-balanced', 'violated'],
      ['deadlock-free', 'holds'],
    ]);
    const messages = r.violations.map((v) => v.message);
    expect(messages.some((m) => /^2 write sections open on count0 at once \(sequence \d\)$/.test(m))).toBe(true);
  });
  test('the labels are the section’s two halves; the loaded count is dead after the store', () => {
    const inst = langProgram(program);
    expect(inst.program.threads[0].steps.map((st) => st.label)).toEqual([
      'begin: load count',
      'begin: store count+1',
      'end: load count',
      'end: store count+1',
    ]);
  });
});

describe('write sections nested around a body', () => {
  const labels = (w: (v: number) => { cls?: string; subclass: number }) =>
    writeSeqcountSections<L>(
      '__vma_adjust',
      [0, 1].map((v) => ({ sc: l.refs.seq.at(v), name: ['vma', 'next'][v], w: w(v) })),
      [step('__vma_adjust: body', () => {})],
    ).map((n) =>
      n.k === 'scope' ? n.body.map((x) => (x as { label: string }).label) : [(n as { label: string }).label],
    );
  test('lockdep-visible: the inner section is begin_nested(SINGLE_DEPTH_NESTING); ends in reverse order', () => {
    expect(labels((v) => ({ cls: 'vm_seq', subclass: v })).map((x) => x[0])).toEqual([
      '__vma_adjust: write_seqcount_begin(vma): load count',
      '__vma_adjust: write_seqcount_begin_nested(…, SINGLE_DEPTH_NESTING)(next): load count',
      '__vma_adjust: body',
      '__vma_adjust: write_seqcount_end(next): load count',
      '__vma_adjust: write_seqcount_end(vma): load count',
    ]);
  });
  test('raw_ sections: no lockdep, no nesting annotation', () => {
    expect(labels((v) => ({ subclass: v }))[1]).toEqual([
      '__vma_adjust: raw_write_seqcount_begin(next): load count',
      '__vma_adjust: raw_write_seqcount_begin(next): store count+1',
    ]);
  });
  test('in a program: both counts end even, `also` runs in the begin’s and the end’s store', () => {
    const g = layout({ seq: array(2, seqcountSpec(1)), open: array(2, int(0, 1)) });
    const program = () => ({
      layout: g,
      threads: [
        thread<L>('w', { seq: 0 }, [
          ...writeSeqcountSections<L>(
            'f',
            [0, 1].map((v) => ({
              sc: g.refs.seq.at(v),
              name: `c${v}`,
              w: { cls: 'c', subclass: v },
              also: v ? undefined : (c, end) => c.set(g.refs.open.at(0), end ? 0 : 1),
            })),
            [step('f: inside', (c) => c.await(c.get(g.refs.open.at(0)) === 1))],
          ),
        ]),
      ],
      properties: seqcountProperties<{ seq: Seqcount[] }>('seq', (s) => s.seq, ['c0', 'c1']),
      observes: {},
    });
    const inst = langProgram(program);
    const r = explore(inst, { strategy: 'naive', stopAtFirst: false });
    expect(r.kind).toBe('pass');
    expect(r.kind !== 'error' && r.stats.states).toBe(10);
    expect(lockOrder(inst).classes).toEqual(['c', 'c/1']);
  });
});
