import { describe, expect, test } from '@jest/globals';
import { PTE_NONE, present, type Pte } from '../../../src/kernel/pte.js';
import { commit, evaluate, int, layout, type Body } from '../../../src/lang/index.js';
import {
  flushTlbRange,
  lockStep,
  noStaleTlb,
  pmdSpec,
  pmdTable,
  ptesSpec,
  tlbMissWalk,
  unlockStep,
} from '../../../src/lang/kernel/pgtable.js';
import { tlbSpec } from '../../../src/lang/kernel/tlb.js';

const VALUES: Pte[] = [PTE_NONE, present('A')];
const l = layout({ ...pmdSpec(3, VALUES), tlb: tlbSpec(48, ['A']), folios: { A: { ref: int(0, 2, 1) } } });
const s0 = l.state({ pmd: [-1, 1, -1], tables: { 1: { 0: present('A') } } });
type S = typeof s0;
const run = (s: S, cpu: number, body: Body<object>): S => commit(s, evaluate(l, body, s, {}, cpu));

describe('page tables', () => {
  test('ptesSpec: one PTE per address, one split PTL per table', () => {
    const p = layout(ptesSpec(2, VALUES));
    expect([p.refs.pte.length, p.refs.ptl.length, p.refs.pte.at(17).loc, p.refs.ptl.at(1).loc]).toEqual([
      32,
      2,
      'pte[17]',
      'ptl[1]',
    ]);
  });
  test('pmdTable reads the slot of an address: the table installed or -1', () => {
    const at = (a: number) => evaluate(l, (c) => pmdTable(c, l.refs, a), s0, {}, 0).value;
    expect([at(0), at(16), at(31), at(32)]).toEqual([-1, 1, 1, -1]);
  });
  test('a TLB miss walks pmd and PTE and caches a present translation on this CPU only', () => {
    const s = run(s0, 2, (c) => tlbMissWalk(c, l.refs, l.refs.tlb, 16));
    expect(s.tlb.cached[16].A).toBe(0b100);
    expect(run(s0, 2, (c) => tlbMissWalk(c, l.refs, l.refs.tlb, 32)).tlb.cached[32].A).toBe(0);
  });
  test('flush_tlb_range drops every CPU’s entries in the range, and only there', () => {
    const warm = l.state({ tlb: { cached: { 16: { A: 0b110 }, 31: { A: 1 }, 32: { A: 1 } } } });
    const s = run(warm, 0, (c) => flushTlbRange(c, l.refs.tlb, 16, 32));
    expect([s.tlb.cached[16].A, s.tlb.cached[31].A, s.tlb.cached[32].A]).toEqual([0, 0, 1]);
  });
  test('no-stale-tlb: a cached translation of a freed folio', () => {
    const check = (s: S) => noStaleTlb.check?.({ s, threads: [] });
    const warm = l.state({ tlb: { cached: { 32: { A: 0b100 } } } });
    expect(check(warm)).toBe(null);
    expect(check(l.state({ ...warm, folios: { A: { ref: 0 } } }))).toBe(
      "a CPU's TLB still maps address 32 to A, which reclaim freed: use-after-free",
    );
  });
  test('lockStep / unlockStep: an acquire costed as a lock, waiting while held', () => {
    const lk = lockStep<object>('f: lock', l.refs.pmdPtl, 'pmd_ptl');
    const un = unlockStep<object>('f: unlock', l.refs.pmdPtl, 'pmd_ptl');
    if (lk.k !== 'step' || un.k !== 'step') throw new Error('not steps');
    expect(lk.cost).toBe('lock');
    const held = run(s0, 1, lk.body);
    expect(held.pmdPtl).toBe(1);
    expect(evaluate(l, lk.body, held, {}, 0).blocked).toBe(true);
    expect(run(held, 1, un.body).pmdPtl).toBe(-1);
  });
});
