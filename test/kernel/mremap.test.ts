import { describe, expect, test } from '@jest/globals';
import { ModelError } from '../../src/core/errors.js';
import { assertion } from '../../src/core/property.js';
import { step, type Step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { System } from '../../src/explore/system/system.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { anonVma } from '../../src/kernel/anon-vma.js';
import {
  avInsert,
  copyVmaPgoff,
  copyVmaSteps,
  movePageTablesSteps,
  movePmdSteps,
  mremapLocals,
  tlbFlushRange,
  needRmapLocks,
  ptlPath,
  vmaMergeTarget,
  PTRS_PER_TABLE,
  type MremapPlan,
  type RmapLockPolicy,
  type RmapOrder,
  type WithMm,
} from '../../src/kernel/mremap.js';
import { PTE_NONE, migrationEntry, pteLoc, type Pte } from '../../src/kernel/pte.js';
import { lockMisuse, spinLock, spinUnlock } from '../../src/kernel/spinlock.js';
import { vma, type Vma } from '../../src/kernel/vma.js';
import type { Instance } from '../../src/core/instantiate.js';
import { program, run } from '../helpers/program.js';

const B = PTRS_PER_TABLE;
const AV_NAME = 'av';
const C = 2 * PTRS_PER_TABLE;

function mm(vmas: Record<string, Vma>, head: string[], ptes: Record<number, Pte> = {}): WithMm {
  const pte = Array.from({ length: 3 * B }, (_, a) => ptes[a] ?? PTE_NONE);
  return { vmas, anon_vmas: { av: anonVma('av', head) }, pte, ptl: [-1, -1, -1] };
}

/** Run thread `tid` alone until it finishes; the final shared state. */
function solo(inst: Instance, tid = 0): WithMm {
  const sys = new System(inst);
  let g = sys.initial();
  for (let i = 0; i < 1000 && sys.enabled(g, tid); i++) g = sys.exec(g, tid).g;
  return g.s;
}

describe('rmap traversal order', () => {
  const vmas = { A: vma(0, 1, 5, 'av'), B: vma(1, 2, 2, 'av'), C: vma(2, 3, 5, 'av') };
  test('list order: anon_vma_clone appends at the tail whatever the pgoff', () => {
    expect(avInsert('list', ['A', 'B'], vmas, 'C')).toEqual(['A', 'B', 'C']);
  });
  test('tree order: increasing vm_pgoff, an equal key goes after (rbtree inserts it to the right)', () => {
    expect(avInsert('tree', ['B', 'A'], vmas, 'C')).toEqual(['B', 'A', 'C']);
    expect(avInsert('tree', ['A', 'C'], vmas, 'B')).toEqual(['B', 'A', 'C']);
  });
  test('tree order: reinsertion after vma_adjust moves the VMA after its equals', () => {
    expect(avInsert('tree', ['B', 'C', 'A'], vmas, 'C')).toEqual(['B', 'A', 'C']);
  });
});

describe('vma_merge target', () => {
  test("prev when it ends at addr and its pages continue into pgoff (Andrea's test)", () => {
    const v = { M: vma(0, 2, 0, 'av'), W: vma(B, B + 2, 2, 'av') };
    expect(vmaMergeTarget(v, 'W', 2, 2, 2)).toEqual({ kind: 'prev', vma: 'M' });
  });
  test('no merge when the pgoff does not continue', () => {
    const v = { M: vma(0, 2, 0, 'av'), W: vma(B, B + 2, 5, 'av') };
    expect(vmaMergeTarget(v, 'W', 2, 2, 5)).toBeNull();
  });
  test('next when it starts at addr + len at pgoff + len', () => {
    const v = { M: vma(0, 4, 0, 'av'), X: vma(C + 2, C + 4, 4, 'av') };
    expect(vmaMergeTarget(v, 'M', C, 2, 2)).toEqual({ kind: 'next', vma: 'X' });
  });
  test('no merge across anon_vmas', () => {
    const v = { M: vma(0, 2, 0, 'other'), W: vma(B, B + 2, 2, 'av') };
    expect(vmaMergeTarget(v, 'W', 2, 2, 2)).toBeNull();
  });
});

describe('need_rmap_locks', () => {
  const src = vma(4, 6, 4, 'av');
  const cases: [RmapLockPolicy, boolean, Vma, boolean][] = [
    ['pgoff', true, vma(0, 6, 0, 'av'), true], // merged into a prev with a lower pgoff
    ['pgoff', true, vma(C, C + 4, 4, 'av'), true], // tie
    ['pgoff', true, vma(C, C + 4, 6, 'av'), false], // merged after src
    ['pgoff', false, vma(C, C + 2, 4, 'av'), false], // a new VMA
    ['pgoff-lt', true, vma(C, C + 4, 4, 'av'), false],
    ['address', true, vma(C, C + 4, 0, 'av'), false], // above src but before it in pgoff order
    ['address', true, vma(0, 4, 0, 'av'), true],
    ['never', true, vma(0, 6, 0, 'av'), false],
    ['always', false, vma(C, C + 2, 4, 'av'), true],
  ];
  test.each(cases)('%s, merged %s, dst %o → %s', (policy, merged, dst, want) => {
    expect(needRmapLocks(policy, merged, dst, src)).toBe(want);
  });
});

describe('copy_vma', () => {
  const plan = (src: string, oldAddr: number, newAddr: number): MremapPlan => ({
    src,
    av: 'av',
    oldAddr,
    newAddr,
    len: 2,
    fresh: 'new',
  });
  const copy = (s: WithMm, p: MremapPlan, order: RmapOrder, moveToTail = false) =>
    solo(
      program({
        init: s,
        threads: [thread('mremap', mremapLocals(), copyVmaSteps(p, order, moveToTail, 'pgoff'))],
        properties: [lockMisuse],
      }),
    );

  test('merge into the older prev keeps it before src in the list: dst before src', () => {
    const s = copy(mm({ M: vma(0, 2, 0, 'av'), W: vma(B, B + 2, 2, 'av') }, ['M', 'W']), plan('W', B, 2), 'list');
    expect(s.vmas.M).toMatchObject({ start: 0, end: 4, pgoff: 0 });
    expect(s.anon_vmas.av.head).toEqual(['M', 'W']);
    expect(s.anon_vmas.av.lock).toBe(-1);
  });
  test('anon_vma_moveto_tail puts the merged dst after src', () => {
    const s = copy(mm({ M: vma(0, 2, 0, 'av'), W: vma(B, B + 2, 2, 'av') }, ['M', 'W']), plan('W', B, 2), 'list', true);
    expect(s.anon_vmas.av.head).toEqual(['W', 'M']);
  });
  test('a new VMA goes to the list tail with the target geometry', () => {
    const s = copy(mm({ M: vma(0, 2, 0, 'av'), W: vma(B, B + 2, 2, 'av') }, ['M', 'W']), plan('W', B, C), 'list');
    expect(s.vmas.new).toMatchObject({ start: C, end: C + 2, pgoff: 2 });
    expect(s.anon_vmas.av.head).toEqual(['M', 'W', 'new']);
  });
  test('merge into next grows it down: vm_start and vm_pgoff change; the tree reinserts it', () => {
    const s = copy(mm({ M: vma(0, 2, 0, 'av'), X: vma(C + 2, C + 4, 2, 'av') }, ['M', 'X']), plan('M', 0, C), 'tree');
    expect(s.vmas.X).toMatchObject({ start: C, end: C + 4, pgoff: 0 });
    expect(s.anon_vmas.av.head).toEqual(['M', 'X']);
  });
  test('tree order: a prev above src in the address space but with a lower pgoff comes first', () => {
    const s = copy(mm({ W: vma(C, C + 2, 0, 'av'), M: vma(2, 4, 2, 'av') }, ['W', 'M']), plan('M', 2, C + 2), 'tree');
    expect(s.vmas.W).toMatchObject({ start: C, end: C + 4, pgoff: 0 });
    expect(s.anon_vmas.av.head).toEqual(['W', 'M']);
  });
});

describe('move_ptes', () => {
  const FOUND = 'found';
  /** A checker that reads the PTEs at `a` then `b` (each under its PTL, or locklessly) and asserts it saw the entry. */
  function checker(a: number, b: number, underPtl: boolean): Step<WithMm, { seen: boolean }>[] {
    const look = (addr: number): Step<WithMm, { seen: boolean }>[] => {
      const read: Step<WithMm, { seen: boolean }> = {
        label: `read pte[${addr}]`,
        footprint: () => [{ loc: pteLoc(addr), write: false }],
        run: (s, l) => ({ l: { seen: l.seen || s.pte[addr].kind === 'migration' } }),
      };
      return underPtl
        ? [step('lock', spinLock(ptlPath(addr))), read, step('unlock', spinUnlock(ptlPath(addr)))]
        : [read];
    };
    return [
      ...look(a),
      ...look(b),
      {
        label: 'assert seen',
        footprint: () => [],
        run: (_s, l) => (l.seen ? {} : { violation: { property: FOUND, message: 'missed the entry' } }),
      },
    ];
  }
  const inst = (a: number, b: number, underPtl: boolean) =>
    program({
      init: mm({}, [], { 2: migrationEntry('P') }),
      threads: [
        thread('mremap', mremapLocals(), movePageTablesSteps('fwd', 'av', 2, C + 2, 1, 'no')),
        thread('walk', { seen: false }, checker(a, b, underPtl)),
      ],
      properties: [assertion(FOUND, 'the walk finds the entry'), lockMisuse],
    });
  const outcome = (i: Instance) => verdicts(i, run(i, 'dfs')).find((v) => v.property === FOUND)!.outcome;

  test('moves each PTE under both PTLs and leaves the old one empty', () => {
    const s = solo(
      program({
        init: mm({}, [], { 2: migrationEntry('P'), 3: migrationEntry('Q') }),
        threads: [thread('m', mremapLocals(), movePageTablesSteps('fwd', 'av', 2, C + 2, 2, 'no'))],
      }),
    );
    expect(s.pte[2]).toEqual(PTE_NONE);
    expect(s.pte[3]).toEqual(PTE_NONE);
    expect(s.pte[C + 2]).toEqual(migrationEntry('P'));
    expect(s.pte[C + 3]).toEqual(migrationEntry('Q'));
    expect(s.ptl).toEqual([-1, -1, -1]);
  });
  test('src then dst under the PTLs: the entry is always found', () => {
    expect(outcome(inst(2, C + 2, true))).toBe('holds');
  });
  test('dst then src under the PTLs: missed (the walk-order race)', () => {
    expect(outcome(inst(C + 2, 2, true))).toBe('violated');
  });
  test('src then dst without the PTL: missed between the clear and the set (the lockless peek)', () => {
    expect(outcome(inst(2, C + 2, false))).toBe('violated');
  });
  test('a zero-length move takes no lock and moves nothing', () => {
    expect(movePageTablesSteps('back', 'av', 2, C + 2, 0, 'yes')).toEqual([]);
  });
  test('with the rmap lock, the lock is taken first and released last', () => {
    const labels = movePageTablesSteps('fwd', 'av', 2, C + 2, 1, 'yes').map((x) => x.label);
    expect(labels[0]).toBe('move_ptes: anon_vma_lock');
    expect(labels[labels.length - 1]).toBe('move_ptes: anon_vma_unlock');
  });
});

describe('footprints declare everything the steps read and write', () => {
  const p: MremapPlan = { src: 'W', av: 'av', oldAddr: B, newAddr: C, len: 2, fresh: 'new' };
  const s0 = mm({ M: vma(0, 2, 0, 'av'), W: vma(B, B + 2, 2, 'av') }, ['M', 'W']);
  const fp = (order: RmapOrder, label: string, s: WithMm = s0) => {
    const st = copyVmaSteps(p, order, false, 'pgoff').find((x) => x.label === label);
    if (!st) throw new Error(`no step '${label}'`);
    const acc = st.footprint(s, { ...mremapLocals(), dst: 'new' }, 0);
    return {
      reads: acc.filter((a) => !a.write).map((a) => a.loc),
      writes: acc.filter((a) => a.write).map((a) => a.loc),
    };
  };
  test("vma_merge reads every VMA's anon_vma as well as its geometry", () => {
    expect(fp('list', 'copy_vma: vma_merge(prev, new_addr, new_addr + len, new_pgoff)?').reads).toEqual(
      expect.arrayContaining(['vmas.M.anon', 'vmas.W.anon', 'vmas.M.pgoff', 'vmas.W.start']),
    );
  });
  test('*new_vma = *vma writes the whole new VMA and reads the source', () => {
    const f = fp('list', 'copy_vma: *new_vma = *vma');
    expect(f.writes).toEqual(
      expect.arrayContaining(['vmas.new.start', 'vmas.new.end', 'vmas.new.pgoff', 'vmas.new.anon', 'vmas.new.flags']),
    );
    expect(f.reads).toEqual(expect.arrayContaining(['vmas.W.start', 'vmas.W.end', 'vmas.W.pgoff', 'vmas.W.anon']));
  });
  test("new_pgoff stores read the source's vm_pgoff and vm_start", () => {
    expect(fp('list', 'copy_vma: new_vma->vm_pgoff = pgoff').reads).toEqual(
      expect.arrayContaining(['vmas.W.pgoff', 'vmas.W.start']),
    );
  });
  test("the interval tree's insert reads the vm_pgoff of every VMA it compares", () => {
    const s = { ...s0, vmas: { ...s0.vmas, new: vma(C, C + 2, 2, 'av') } };
    const f = fp('tree', 'anon_vma_chain_link: anon_vma_interval_tree_insert', s);
    expect(f.writes).toEqual(['anon_vmas.av.head']);
    expect(f.reads.sort()).toEqual(['vmas.M.pgoff', 'vmas.W.pgoff', 'vmas.new.pgoff']);
  });
  test('move_page_tables over a range that crosses a page table is a model error', () => {
    expect(() => movePageTablesSteps('fwd', 'av', B - 1, C, 2, 'no')).toThrow(ModelError);
    expect(() => movePageTablesSteps('fwd', 'av', 0, C - 1, 2, 'no')).toThrow(
      /to range \[31, 33\) crosses a page table/,
    );
    expect(movePageTablesSteps('fwd', 'av', B - 2, C, 2, 'no').length).toBeGreaterThan(0);
  });
});

describe('vma_merge with the source itself, and copy_vma pgoff', () => {
  const plan = (src: string): MremapPlan => ({ src, av: 'av', oldAddr: C - 1, newAddr: C, len: 1, fresh: 'new' });
  test('with self, a never-faulted source whose pgoff was reset to the new address is its own prev', () => {
    const v = { S: vma(C - 2, C, C - 2, null) };
    expect(copyVmaPgoff({ vmas: v }, plan('S'))).toBe(C);
    expect(vmaMergeTarget(v, 'S', C, 1, C, true)).toEqual({ kind: 'prev', vma: 'S' });
    expect(vmaMergeTarget(v, 'S', C, 1, C)).toBeNull();
  });
  test('a faulted source keeps its linear pgoff and cannot be its own neighbour', () => {
    const v = { S: vma(C - 2, C, C - 2, 'av') };
    expect(copyVmaPgoff({ vmas: v }, plan('S'))).toBe(C - 1);
    expect(vmaMergeTarget(v, 'S', C, 1, C - 1, true)).toBeNull();
    expect(copyVmaPgoff({ vmas: v }, plan('S'), 'always')).toBe(C);
  });
});

describe('move_normal_pmd and flush_tlb_range', () => {
  test('flush_tlb_range drops exactly the entries of [start, end)', () => {
    expect(tlbFlushRange({ 15: 'A', 16: 'B', 31: 'C', 32: 'D' }, 16, 32)).toEqual({ 15: 'A', 32: 'D' });
  });
  test('the whole table moves to the new PMD slot and the old range is flushed; the PTEs are untouched', () => {
    const table = [migrationEntry('P')];
    const init = { ...mm({}, []), pmd: [-1, 1, -1], tables: [[], table], tlb: { 16: 'P', 32: 'X' }, pmdPtl: -1 };
    const locals = { ...mremapLocals(), need: true };
    const s = solo(
      program({
        init,
        threads: [
          thread(
            'mremap',
            locals,
            movePmdSteps(AV_NAME, B, C, (l) => l.need),
          ),
        ],
      }),
    ) as unknown as { pmd: number[]; tables: Pte[][]; tlb: Record<string, string>; pmdPtl: number };
    expect(s.pmd).toEqual([-1, -1, 1]);
    expect(s.tables[1]).toEqual(table);
    expect(s.tlb).toEqual({ 32: 'X' });
    expect(s.pmdPtl).toBe(-1);
  });
});
