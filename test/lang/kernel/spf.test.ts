import { describe, expect, test } from '@jest/globals';
import {
  commit,
  evaluate,
  int,
  layout,
  oneOf,
  scope,
  step,
  thread,
  type Body,
  type Node,
} from '../../../src/lang/index.js';
import { seqcountSpec, writeSeqcountSteps } from '../../../src/lang/kernel/seqcount.js';
import {
  handleSpeculativeFault,
  pteMapLock,
  speculativeSample,
  vmaSequenceBegin,
} from '../../../src/lang/kernel/spf.js';
import { langProgram, sharedStates } from '../helpers.js';

const l = layout({ seq: seqcountSpec(2), pte: oneOf(['page', 'none', 'spf']) });
const { seq: sc, pte } = l.refs;
type L = { start: number; end: number; pte: string; seen: number };
const L0: L = { start: 0, end: 0, pte: 'page', seen: -1 };
const odd = l.state({ seq: { sequence: 1, writers: 1, began: 1 }, pte: 'page' });
const even = l.state({ seq: { sequence: 2, writers: 0, began: 1 }, pte: 'page' });
const body = (n: Node<L>) => (n as { body: Body<L> }).body;
const run = (n: Node<L>, s: typeof even, loc: L = L0) => {
  const e = evaluate(l, body(n), s, loc, 0);
  return { e, s: e.blocked ? s : commit(s, e) };
};
const sampled = (c: Parameters<Body<L>>[0], seq: number) => c.let({ seen: seq });

describe('the speculative fault samples vm_sequence', () => {
  test('as posted: raw_read_seqcount takes the bail branch on an odd count, and samples an even one', () => {
    const n = speculativeSample<L>(sc, 'bail', sampled);
    expect(run(n, odd).e).toMatchObject({ value: true, blocked: false, l: L0 });
    expect(run(n, even).e).toMatchObject({ value: false, l: { ...L0, seen: 2 } });
    expect((n as { label: string }).label).toBe(
      'handle_speculative_fault: seq = raw_read_seqcount(vma->vm_sequence); odd → abort',
    );
  });
  test('read_seqcount_begin spins (blocks) on an odd count, after lockdep’s reader access', () => {
    const n = vmaSequenceBegin<L>('shrink_active_list', sc, 'vm_seq', sampled);
    const r = run(n, odd);
    expect([r.e.blocked, r.e.lockOps.map((o) => o.op)]).toEqual([true, ['acquire', 'release']]);
    expect(run(n, even).e).toMatchObject({ blocked: false, l: { ...L0, seen: 2 } });
  });
});

describe("SPF v3's pte_map_lock", () => {
  const done: [boolean][] = [];
  const [irq, ptl] = pteMapLock<string, L>(sc, pte, 'spf', 'retry', (_c, set) => void done.push([set]));
  const at2 = { ...L0, start: 2 };
  test('vma_has_changed before the PTL: VM_FAULT_RETRY', () => {
    expect(run(irq, even, L0).e.value).toBe(true);
    expect(run(irq, even, at2).e.value).toBe(false);
  });
  test('under the PTL: retry on a changed count, set_pte_at only if pte_same', () => {
    done.length = 0;
    expect(run(ptl, odd, at2).e.value).toBe(true);
    const set = run(ptl, even, at2);
    expect([set.e.value, set.s.pte]).toEqual([false, 'spf']);
    const zapped = run(ptl, l.state({ ...even, pte: 'none' }), at2);
    expect([zapped.e.value, zapped.s.pte]).toEqual([false, 'none']);
    expect(done).toEqual([[true], [false]]);
  });
});

describe('handle_speculative_fault against one zap (a write section that clears the PTE)', () => {
  const g = layout({
    seq: seqcountSpec(1),
    vmEnd: int(1, 2),
    pte: oneOf(['page', 'none', 'spf']),
    out: oneOf(['running', 'bailed', 'retry', 'committed']),
  });
  type FL = { start: number; end: number; pte: string; seq: number };
  const ends = (reader: 'posted' | 'spin' | 'v3') => {
    const fault = handleSpeculativeFault<string, FL>({
      ...{ sc: g.refs.seq, vmEnd: g.refs.vmEnd, pte: g.refs.pte, value: 'spf', reader },
      done: (c, outcome) => c.set(g.refs.out, outcome),
    });
    const zap = [
      writeSeqcountSteps<FL>('zap: begin', g.refs.seq, false),
      step<FL>('zap: clear', (c) => c.set(g.refs.pte, 'none')),
      writeSeqcountSteps<FL>('zap: end', g.refs.seq, true),
    ];
    const L0 = { start: 0, end: 0, pte: '', seq: 0 };
    const program = () => ({
      layout: g,
      init: g.state({ vmEnd: 1, pte: 'page', out: 'running' }),
      threads: [thread<FL>('spf', L0, [scope<FL>(L0, fault)]), thread<FL>('zap', L0, zap)],
      properties: [],
      observes: {},
    });
    const { terminal, deadlock } = sharedStates(langProgram(program));
    expect(deadlock).toBe(false);
    return [...terminal]
      .map((k) => JSON.parse(k) as { out: string; pte: string })
      .map((s) => `${s.out} ${s.pte}`)
      .sort();
  };
  test('as posted: bails on an odd sample, retries on a changed count, commits only a count unchanged', () => {
    expect(ends('posted')).toEqual(['bailed none', 'committed none', 'retry none']);
  });
  test('spinning: never bails', () => {
    expect(ends('spin')).toEqual(['committed none', 'retry none']);
  });
  test('v3: pte_map_lock sets the PTE; a zap after the commit clears it, one before it is seen (orig_pte none)', () => {
    expect(ends('v3')).toEqual(['bailed none', 'committed none', 'committed spf', 'retry none']);
  });
});
