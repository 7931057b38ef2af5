import { describe, expect, test } from '@jest/globals';
import { ModelError } from '../../../src/core/errors.js';
import type { Instance } from '../../../src/core/instantiate.js';
import { soloCost } from '../../../src/explore/system/cost.js';
import { System } from '../../../src/explore/system/system.js';
import { PTE_NONE, migrationEntry, type Pte } from '../../../src/kernel/pte.js';
import type { Vma } from '../../../src/kernel/vma.js';
import { layout, thread } from '../../../src/lang/index.js';
import {
  COPY_VMA_SELF_MERGE,
  MREMAP_LOCALS,
  copyVmaSelfMerge,
  mmInit,
  mmSpec,
  moveVma,
  movePmdVma,
  type MmRefs,
  type MremapLocals,
  type MremapOptions,
} from '../../../src/lang/kernel/mremap.js';
import { pmdSpec, ptesSpec, type PmdRefs, type PteRefs } from '../../../src/lang/kernel/pgtable.js';
import { tlbSpec, type TlbRefs } from '../../../src/lang/kernel/tlb.js';
import { langProgram } from '../helpers.js';

const vma = (start: number, end: number, pgoff: number, anon: string | null = 'av'): Vma => ({
  start,
  end,
  pgoff,
  anon,
  flags: 0,
});
const V31: MremapOptions = { order: 'list', moveToTail: 'none', rmapLocks: 'never', pgoffReset: 'unfaulted' };
const TREE: MremapOptions = { ...V31, order: 'tree', rmapLocks: 'pgoff' };
const VALUES: Pte[] = [PTE_NONE, migrationEntry('P0')];

type Mm = { vmas: Record<string, { start: number; end: number; pgoff: number; linked: number }> };
type St = Mm & { anon_vmas: { av: { head: string[]; lock: number } }; pte: Pte[]; selfMergedFaulted: boolean };

/** A model with only the mremap thread: move [from, from + 1) of `src` to `to`, the entry at `from`. */
function mremapAlone(vmas: Record<string, Vma>, src: string, from: number, to: number, o: MremapOptions, fail = false) {
  const names = [...Object.keys(vmas), 'new'];
  return langProgram(() => {
    const shared = layout({ ...mmSpec(names, 'av'), ...ptesSpec(3, VALUES) });
    const r = shared.refs as unknown as MmRefs & PteRefs;
    const init = shared.state({ ...mmInit(vmas, names, 'av', o.order), pte: { [from]: migrationEntry('P0') } });
    const plan = { src, av: 'av', oldAddr: from, newAddr: to, len: 1, fresh: 'new' };
    return {
      layout: shared,
      init,
      threads: [thread<MremapLocals>('mremap', MREMAP_LOCALS, moveVma(r, r, plan, o, fail))],
      properties: [copyVmaSelfMerge],
      // The tests read these locals of the finished thread: never reset as dead at its exit.
      observes: { locals: ['dst', 'merged', 'need', 'selfMerged', 'faultedSelf'] },
    };
  });
}

/** Run the only thread to its end: the final state, its locals and the labels it ran. */
function runAlone(inst: Instance) {
  const sys = new System(inst, []);
  let g = sys.initial();
  const labels: string[] = [];
  while (!sys.isDone(g, 0)) {
    labels.push(sys.label(g, 0));
    g = sys.exec(g, 0).g;
  }
  return { s: g.s as St, l: g.t[0].l as MremapLocals, labels };
}

// Andrea's test (layout merge-prev): M [0,1) pgoff 0, W [16,17) pgoff 1; W moved to 1 merges into M.
const MERGE_PREV = { M: vma(0, 1, 0), W: vma(16, 17, 1) };

describe('mmSpec / mmInit: the VMAs and the same_anon_vma traversal order', () => {
  test('list order is link order; the tree orders by vm_pgoff; the fresh VMA starts unlinked', () => {
    const vmas = { M: vma(16, 17, 1), W: vma(32, 33, 0) };
    expect(mmInit(vmas, ['M', 'W', 'new'], 'av', 'list').anon_vmas.av.head).toEqual(['M', 'W']);
    expect(mmInit(vmas, ['M', 'W', 'new'], 'av', 'tree').anon_vmas.av.head).toEqual(['W', 'M']);
    expect(mmInit(vmas, ['M', 'W', 'new'], 'av', 'list').vmas.new).toEqual({ linked: 0 });
    // A never-faulted VMA has no avc on the list.
    expect(mmInit({ S: vma(0, 2, 0, null) }, ['S', 'new'], 'av', 'list').anon_vmas.av.head).toEqual([]);
  });
});

describe('moveVma: copy_vma and move_page_tables run alone', () => {
  test('3.1, merge into prev: vm_end grows without the anon_vma lock, the entry moves under the two PTLs', () => {
    const { s, l, labels } = runAlone(mremapAlone(MERGE_PREV, 'W', 16, 1, V31));
    expect([l.dst, l.merged, l.need]).toEqual(['M', 'prev', false]);
    expect(s.vmas.M.end).toBe(2);
    expect([s.pte[16], s.pte[1]]).toEqual([PTE_NONE, migrationEntry('P0')]);
    expect(labels).not.toContain('vma_adjust: anon_vma_lock');
    expect(labels).toContain('vma_adjust: prev->vm_end = end (only vm_end changes: no anon_vma lock)');
    expect(soloCost(mremapAlone(MERGE_PREV, 'W', 16, 1, V31), 'mremap')).toEqual({ steps: 9, locks: 2, atomics: 1 });
  });
  test('3.7 tree: vma_adjust locks and reinserts; need_rmap_locks = new pgoff <= old pgoff', () => {
    const { s, l, labels } = runAlone(mremapAlone(MERGE_PREV, 'W', 16, 1, TREE));
    expect([l.dst, l.need]).toEqual(['M', true]);
    expect(labels).toContain('vma_adjust: anon_vma_interval_tree_post_update_vma');
    expect(labels).toContain('move_ptes: anon_vma_lock');
    expect(s.anon_vmas.av).toEqual({ head: ['M', 'W'], lock: -1 });
  });
  test('a new VMA: 3.1 links the copy at the tail, then stores its geometry; need_rmap_locks false', () => {
    const { s, l, labels } = runAlone(mremapAlone(MERGE_PREV, 'W', 16, 32, TREE));
    expect([l.dst, l.merged, l.need]).toEqual(['new', null, false]);
    expect(s.vmas.new).toEqual({ start: 32, end: 33, pgoff: 1, anon: 'av', linked: 1 });
    // need_rmap_locks is false: move_ptes skips the lock (the check itself is a local step, merged).
    expect(labels).not.toContain('move_ptes: anon_vma_lock');
    const list = runAlone(mremapAlone(MERGE_PREV, 'W', 16, 32, V31));
    expect(list.s.anon_vmas.av.head).toEqual(['M', 'W', 'new']);
    expect(list.labels.indexOf('anon_vma_chain_link: list_add_tail(same_anon_vma)')).toBeLessThan(
      list.labels.indexOf('copy_vma: new_vma->vm_start = addr'),
    );
  });
  test('with fail the entry goes back; moveto_tail before the move back puts the source last', () => {
    const o: MremapOptions = { ...V31, moveToTail: 'copy_vma+move-back' };
    const { s, labels } = runAlone(mremapAlone(MERGE_PREV, 'W', 16, 1, o, true));
    expect([s.pte[16], s.pte[1]]).toEqual([migrationEntry('P0'), PTE_NONE]);
    expect(labels).toContain('move_page_tables: alloc_new_pmd fails → moved_len < old_len');
    expect(labels).toContain('move_vma: anon_vma_moveto_tail: list_del + list_add_tail');
    expect(s.anon_vmas.av.head).toEqual(['M', 'W']);
  });
  test('a never-faulted VMA merges with itself (pgoff reset); the strawman reset of a faulted one fires the VM_BUG_ON', () => {
    const self = { S: vma(30, 32, 30, null) };
    const { s, l } = runAlone(mremapAlone(self, 'S', 31, 32, V31));
    expect([l.dst, l.selfMerged, l.faultedSelf, s.vmas.S.end, s.selfMergedFaulted]).toEqual([
      'S',
      true,
      false,
      33,
      false,
    ]);
    const faulted = { S: vma(30, 32, 30) };
    expect(runAlone(mremapAlone(faulted, 'S', 31, 32, V31)).l.dst).toBe('new');
    const strawman = runAlone(mremapAlone(faulted, 'S', 31, 32, { ...V31, pgoffReset: 'always' }));
    expect(strawman.s.selfMergedFaulted).toBe(true);
    expect(copyVmaSelfMerge.name).toBe(COPY_VMA_SELF_MERGE);
  });
  test('a move that crosses a page table is refused', () => {
    expect(() => runAlone(mremapAlone({ W: vma(15, 17, 15) }, 'W', 15, 32, { ...V31 }))).not.toThrow();
    const shared = layout({ ...mmSpec(['W', 'new'], 'av'), ...ptesSpec(3, VALUES) });
    const r = shared.refs as unknown as MmRefs & PteRefs;
    const plan = { src: 'W', av: 'av', oldAddr: 15, newAddr: 32, len: 2, fresh: 'new' };
    expect(() => moveVma(r, r, plan, V31, false)).toThrow(ModelError);
  });
});

describe('movePmdVma: the whole page table moves', () => {
  test('the pmd slot moves, the old range is flushed; the rmap locks only when asked', () => {
    for (const lock of [false, true]) {
      const inst = langProgram(() => {
        const shared = layout({ ...mmSpec(['W', 'new'], 'av'), ...pmdSpec(3, VALUES), tlb: tlbSpec(48, ['P0']) });
        const r = shared.refs as unknown as MmRefs & PmdRefs & { tlb: TlbRefs };
        const init = shared.state({
          ...mmInit({ W: vma(16, 32, 16) }, ['W', 'new'], 'av', 'tree'),
          pmd: [-1, 1, -1],
          tlb: { cached: { 16: { P0: 0b10 } } },
        });
        const plan = { src: 'W', av: 'av', oldAddr: 16, newAddr: 32, len: 16, fresh: 'new' };
        const body = movePmdVma(r, r, r.tlb, plan, TREE, () => lock);
        return { layout: shared, init, threads: [thread('mremap', MREMAP_LOCALS, body)], properties: [], observes: {} };
      });
      const { s, labels } = runAlone(inst);
      const st = s as unknown as { pmd: number[]; tlb: { cached: Record<string, number>[] } };
      expect(st.pmd).toEqual([-1, -1, 1]);
      expect(st.tlb.cached[16].P0).toBe(0);
      expect(labels.includes('take_rmap_locks: anon_vma_lock_write')).toBe(lock);
    }
  });
});
