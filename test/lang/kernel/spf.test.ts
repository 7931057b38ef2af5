import { describe, expect, test } from '@jest/globals';
import { commit, evaluate, layout, oneOf, type Body, type Node } from '../../../src/lang/index.js';
import { seqcountSpec } from '../../../src/lang/kernel/seqcount.js';
import { pteMapLock, speculativeSample, vmaSequenceBegin } from '../../../src/lang/kernel/spf.js';

const l = layout({ seq: seqcountSpec(2), pte: oneOf(['page', 'none', 'spf']) });
const { seq: sc, pte } = l.refs;
type L = { start: number; pte: string; seen: number };
const L0: L = { start: 0, pte: 'page', seen: -1 };
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
