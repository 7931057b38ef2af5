import { describe, expect, test } from '@jest/globals';
import model, { LAYOUTS } from '../../models/kernel/mremap-vs-rmap-walk.js';
import { instantiate } from '../../src/core/instantiate.js';
import { explore } from '../../src/explore/explore.js';
import { replay } from '../../src/explore/strategies/replay.js';
import { System } from '../../src/explore/system/system.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { soloCost } from '../../src/explore/system/cost.js';
import { lockOrder } from '../../src/analysis/lock-order.js';
import { verdictHelpers } from '../helpers/verdicts.js';
import { ALL_REDUCTIONS, instantiateWith, NO_REDUCTIONS, type Reductions } from '../../src/lang/index.js';

type Params = { ptes?: number; fail?: number; layout?: number };

const { violated } = verdictHelpers(model);

const DANGLING = ['no-dangling-migration-entry', 'no-pte-maps-freed-page', 'remove-walk-complete'];
const layoutNo = (name: (typeof LAYOUTS)[number]) => LAYOUTS.indexOf(name);

describe('mremap-vs-rmap-walk: verdicts per variant (1 PTE, move back on failure)', () => {
  test('before-486cf46f: the lockless peek misses the entry between ptep_clear_flush and set_pte_at, even with dst after src', () => {
    // Paweł Sikora's BUG at swapops.h:105; the default scenario is a new VMA at the list tail.
    expect(violated('before-486cf46f')).toEqual(DANGLING);
    expect(violated('before-486cf46f', { fail: 0, layout: layoutNo('new-vma') })).toEqual(DANGLING);
  });
  test('after-486cf46f: with the peek under the PTL, a new VMA at the tail is safe but vma_merge into the older prev is not', () => {
    // Nai Xia's point: vma_merge leaves dst before src in same_anon_vma.
    expect(violated('after-486cf46f')).toEqual(DANGLING);
    expect(violated('after-486cf46f', { fail: 0, layout: layoutNo('new-vma') })).toEqual([]);
    expect(violated('after-486cf46f', { fail: 0, layout: layoutNo('merge-prev') })).toEqual(DANGLING);
  });
  test('moveto-tail-v1: ordering the list for the forward move is not enough — the move back on failure runs the other way', () => {
    // Hugh's catch on Andrea's first posting.
    expect(violated('moveto-tail-v1', { fail: 0 })).toEqual([]);
    expect(violated('moveto-tail-v1')).toEqual(DANGLING);
  });
  test('moveto-tail: with anon_vma_moveto_tail(vma) before the move back, every layout passes, with and without failure', () => {
    // Andrea's revised patch (kernel-races.md, seed 001 fix 2): the merged dst is moved behind src
    // on the same_anon_vma list, and src behind dst before the reverse move, so the walk always
    // visits the source of a move before its destination.
    for (let layout = 0; layout < LAYOUTS.length; layout++)
      for (const fail of [0, 1]) expect(violated('moveto-tail', { layout, fail })).toEqual([]);
  });
  test('anon-vma-lock (3.7): move_ptes under the anon_vma lock excludes the walk in every layout', () => {
    // 108d6642 (3.7-rc1): move_ptes takes anon_vma_lock around the PTE loop, the lock the rmap walk
    // holds, so a move and a walk exclude each other whatever the list or tree order.
    for (let layout = 0; layout < LAYOUTS.length; layout++)
      for (const fail of [0, 1]) expect(violated('anon-vma-lock', { layout, fail })).toEqual([]);
  });
  test('need-rmap-locks: every case where it skips the lock (new VMA, merged after src) is safe; the move back always locks', () => {
    // 38a76013 (3.7-rc1): copy_vma returns need_rmap_locks = new_vma->vm_pgoff <= vma->vm_pgoff when
    // it merged, false when it allocated (a new VMA is inserted after src in the interval tree).
    for (let layout = 0; layout < LAYOUTS.length; layout++)
      for (const fail of [0, 1]) expect(violated('need-rmap-locks', { layout, fail })).toEqual([]);
  });
  test('need-rmap-locks-lt: skipping the lock on the vm_pgoff tie is also safe — vma_adjust reinserts dst after src', () => {
    // `<=` is conservative by the tie (and covers the never-faulted self-merge, where there are no PTEs).
    expect(violated('need-rmap-locks-lt')).toEqual([]);
    for (let layout = 0; layout < LAYOUTS.length; layout++)
      expect(violated('need-rmap-locks-lt', { layout, fail: 0 })).toEqual([]);
  });
  test('need-rmap-locks-by-address: merged above src but first in vm_pgoff order — the weakened condition skips the lock and misses', () => {
    // Not a kernel variant: a strawman deciding by address instead of vm_pgoff. The 3.7 tree orders
    // by vm_pgoff (108d6642's reason for dropping moveto_tail), so an address test misjudges the order.
    expect(violated('need-rmap-locks-by-address')).toEqual(DANGLING);
    expect(violated('need-rmap-locks-by-address', { layout: layoutNo('merge-prev') })).toEqual([]);
  });
  test('tree-no-lock: the layout that is safe in list order breaks in vm_pgoff order', () => {
    // 108d6642's argument: with the anon interval tree the walk goes in vm_pgoff order, which no
    // list reordering can impose, so without the lock a layout that 3.1's list made safe breaks.
    expect(violated('tree-no-lock', { fail: 0 })).toEqual(DANGLING);
    expect(violated('after-486cf46f', { fail: 0, layout: layoutNo('merge-prev-high') })).toEqual([]);
  });
  test('every variant meets its declared expectation', () => {
    for (const variant of Object.keys(model.variants)) {
      const inst = instantiate(model, variant);
      const r = explore(inst, { strategy: 'dfs', stopAtFirst: false });
      expect(Object.fromEntries(verdicts(inst, r).map((v) => [v.property, v.outcome]))).toEqual(inst.expect);
    }
  });
});

/** The shortest counterexample for one property, as `thread: label` lines. */
const shortest = (variant: string, property = 'no-dangling-migration-entry', params: Params = {}) => {
  const r = explore(instantiate(model, variant, params), { strategy: 'bfs', properties: [property] });
  if (r.kind !== 'violation') throw new Error(`${variant}: ${property} not violated`);
  return r.violation;
};

describe('mremap-vs-rmap-walk: the shortest counterexample reads like the thread', () => {
  test('after-486cf46f: the walk passes dst, vma_merge (no lock: only vm_end changes) and move_ptes move the entry from src to dst, the walk looks in src', () => {
    // 3.1's vma_adjust takes no anon_vma lock for the merge into prev, so the merge can fall
    // inside the walk: M (dst) is scanned before it covers the page (-EFAULT), W (src) after the move.
    const v = shortest('after-486cf46f');
    const lines = v.trace.steps.map((s) => `${s.thread}: ${s.label}`);
    const checks = lines.flatMap((l, i) =>
      l.startsWith('migrator: remove_migration_pte: migration entry') ? [i] : [],
    );
    const adjust = lines.findIndex((l) => l.startsWith('mremap: vma_adjust: prev->vm_end = end'));
    const clear = lines.indexOf('mremap: move_ptes: pte = ptep_clear_flush(old_pte)');
    const set = lines.indexOf('mremap: move_ptes: set_pte_at(new_pte, pte)');
    const cursorSteps = v.trace.steps.flatMap((s, i) =>
      s.changes.filter((c) => c.local && c.path === 'cursor').map((c) => [c.after, i] as const),
    );
    expect(cursorSteps.map(([c]) => c)).toEqual(['M', 'W', null]);
    expect(lines).not.toContain('mremap: vma_adjust: anon_vma_lock');
    expect(cursorSteps[1][1]).toBeLessThan(adjust); // the walk is past M before M grows
    expect(adjust).toBeLessThan(clear);
    expect(clear).toBeLessThan(set);
    expect(checks).toHaveLength(1);
    expect(set).toBeLessThan(checks[0]); // W's PTE is empty when the walk looks
    expect(v.trace.steps[v.trace.steps.length - 1].label).toBe('unmap_and_move: unlock_page(old)');
    expect(v.trace.steps).toHaveLength(24);
  });
  test('before-486cf46f: the peeks of src and dst both fall between the clear and the set', () => {
    const v = shortest('before-486cf46f');
    const lines = v.trace.steps.map((s) => `${s.thread}: ${s.label}`);
    const peeks = lines.flatMap((l, i) => (l.includes('lockless peek') ? [i] : []));
    const clear = lines.indexOf('mremap: move_ptes: pte = ptep_clear_flush(old_pte)');
    const set = lines.indexOf('mremap: move_ptes: set_pte_at(new_pte, pte)');
    expect(peeks).toHaveLength(2);
    expect(clear).toBeLessThan(peeks[0]);
    expect(peeks[1]).toBeLessThan(set);
  });
  test('moveto-tail-v1: forward move in the right order, then the move back from dst (now last) to src (first)', () => {
    const v = shortest('moveto-tail-v1');
    const labels = v.trace.steps.map((s) => s.label);
    expect(labels).toContain('copy_vma: anon_vma_moveto_tail: list_del + list_add_tail');
    expect(labels).toContain('move_page_tables: alloc_new_pmd fails → moved_len < old_len');
    expect(labels.filter((l) => l === 'move_ptes: set_pte_at(new_pte, pte)')).toHaveLength(2);
  });
  test('a counterexample replays to the same violation', () => {
    const v = shortest('need-rmap-locks-by-address');
    const sys = new System(instantiate(model, 'need-rmap-locks-by-address'), ['no-dangling-migration-entry']);
    const again = replay(sys, v.trace.schedule);
    expect(again.kind === 'replayed' && again.violation?.property).toBe('no-dangling-migration-entry');
  });
});

describe('mremap-vs-rmap-walk: the reduced search agrees with the naive one', () => {
  test('every variant in every layout (1 PTE, move back): dfs and naive give the same verdicts', () => {
    for (const variant of Object.keys(model.variants))
      for (let layout = 0; layout < LAYOUTS.length; layout++) {
        const inst = instantiate(model, variant, { layout });
        const of = (strategy: 'dfs' | 'naive') =>
          verdicts(inst, explore(inst, { strategy, stopAtFirst: false })).map((v) => `${v.property}=${v.outcome}`);
        expect(of('dfs')).toEqual(of('naive'));
      }
  });
});

describe('mremap-vs-rmap-walk: scaling and cost', () => {
  test('ptes = 1..4: the merged fixes pass and the 3.1 race is found at every size', () => {
    for (let ptes = 1; ptes <= 4; ptes++) {
      expect(explore(instantiate(model, 'need-rmap-locks', { ptes }), { strategy: 'dfs' }).kind).toBe('pass');
      expect(explore(instantiate(model, 'moveto-tail', { ptes }), { strategy: 'dfs' }).kind).toBe('pass');
      expect(explore(instantiate(model, 'after-486cf46f', { ptes }), { strategy: 'dfs' }).kind).toBe('violation');
    }
  });
  test('mremap alone: the 3.7 lock costs one more lock per move_ptes; need_rmap_locks none when dst comes after src', () => {
    const cost = (variant: string, params: Params) =>
      soloCost(instantiate(model, variant, { fail: 0, ...params }), 'mremap').locks;
    // 3.1, merge into prev: vma_adjust changes only vm_end and skips the anon_vma lock; the old and the new PTL.
    expect(cost('after-486cf46f', {})).toBe(2);
    // + anon_vma_moveto_tail's lock; + move_ptes' anon_vma lock.
    expect(cost('moveto-tail', {})).toBe(3);
    expect(cost('anon-vma-lock', {})).toBe(3);
    // 3.7+ (tree): vma_adjust locks for the vm_end-only change too; need_rmap_locks (dst first) locks move_ptes.
    expect(cost('need-rmap-locks', {})).toBe(4);
    // merge into next changes vm_start: vma_adjust locks in every release.
    expect(cost('after-486cf46f', { layout: layoutNo('merge-next') })).toBe(3);
    expect(cost('need-rmap-locks', { layout: layoutNo('merge-next') })).toBe(3);
  });
});

describe('mremap-vs-rmap-walk: lock order (lockdep classes)', () => {
  test('one class for all split PTLs, the new one nested as ptl/1; the walk orders anon_vma → ptl; no cycle in any variant', () => {
    for (const variant of Object.keys(model.variants)) {
      const r = lockOrder(instantiate(model, variant, { ptes: 2 }));
      expect(r.complete).toBe(true);
      expect(r.cycles).toEqual([]);
      expect(r.edges.map((e) => `${e.from} → ${e.to}`)).toEqual(
        model.variants[variant].options.rmapLocks && model.variants[variant].options.rmapLocks !== 'never'
          ? ['anon_vma → ptl', 'anon_vma → ptl/1', 'ptl → ptl/1']
          : ['anon_vma → ptl', 'ptl → ptl/1'],
      );
    }
  });
});

describe("mremap-vs-rmap-walk: the merge with self the thread argued about (Nai, Hugh, Andrea's *vmap)", () => {
  const SELF_UNFAULTED = layoutNo('self-unfaulted');
  const SELF_FAULTED = layoutNo('self-faulted');
  /** The mremap thread run alone: its final locals and the source VMA. */
  const mremapAlone = (variant: string, layout: number) => {
    // Reductions off: the locals as the path left them (the liveness reset clears them at exit).
    const inst = instantiateWith(model, NO_REDUCTIONS, variant, { layout, fail: 0 });
    const sys = new System(inst);
    const tid = inst.program.threads.findIndex((t) => t.name === 'mremap');
    let g = sys.initial();
    for (let i = 0; i < 1000 && sys.enabled(g, tid); i++) g = sys.exec(g, tid).g;
    const s = g.s as { vmas: Record<string, { start: number; end: number; pgoff: number; linked: number }> };
    return { l: g.t[tid].l as { selfMerged: boolean; dst: string }, vmas: s.vmas };
  };
  test('a never-faulted VMA: copy_vma resets pgoff and vma_merge returns the source itself', () => {
    // 3.2+ copy_vma: `if (!vma->vm_file && !vma->anon_vma) pgoff = addr >> PAGE_SHIFT`; S [30,32)
    // pgoff 30 (mmap's addr >> PAGE_SHIFT), page 31 moved to 32: prev is S, 30 + 2 == 32.
    const { l, vmas } = mremapAlone('after-486cf46f', SELF_UNFAULTED);
    expect(l.selfMerged).toBe(true);
    expect(l.dst).toBe('S');
    expect(vmas.S.end).toBe(33);
    // The layout declares the VMA copy_vma would allocate; it stays unlinked (never allocated).
    expect(vmas.new.linked).toBe(0);
  });
  test('...and it has no PTEs to miss: every property of every variant holds (Hugh: "there are no ptes there yet")', () => {
    for (const variant of Object.keys(model.variants)) {
      expect([variant, violated(variant, { layout: SELF_UNFAULTED })]).toEqual([variant, []]);
      expect([variant, violated(variant, { layout: SELF_UNFAULTED, ptes: 2, fail: 0 })]).toEqual([variant, []]);
    }
  });
  test('a faulted VMA cannot merge with itself: the linear pgoff rules it out (VM_BUG_ON(faulted_in_anon_vma) never fires)', () => {
    // Hugh: "With linear vm_pgoff matching, you cannot fit a range in two places within the same vma."
    const { l } = mremapAlone('after-486cf46f', SELF_FAULTED);
    expect([l.selfMerged, l.dst]).toEqual([false, 'new']);
    for (const variant of Object.keys(model.variants).filter((v) => v !== 'pgoff-reset-faulted'))
      expect(violated(variant, { layout: SELF_FAULTED })).not.toContain('copy-vma-self-merge');
  });
  test("pgoff-reset-faulted (a strawman): resetting a faulted VMA's pgoff makes it merge with itself and the walk misses the moved entries", () => {
    // Why the reset is limited to never-faulted VMAs: the moved entry's page->index keeps its old
    // address in the merged VMA, so remove_migration_ptes looks where the entry no longer is.
    expect(violated('pgoff-reset-faulted', { fail: 0 })).toEqual(['copy-vma-self-merge', ...DANGLING].sort());
    const r = explore(instantiate(model, 'pgoff-reset-faulted', { fail: 0 }), {
      strategy: 'bfs',
      properties: ['no-dangling-migration-entry'],
    });
    if (r.kind !== 'violation') throw new Error('not violated');
    const labels = r.violation.trace.steps.map((s) => `${s.thread}: ${s.label}`);
    const move = labels.findIndex((x) => x.startsWith('mremap: move_ptes: set_pte_at'));
    const peek = labels.findIndex(
      (x, i) => i > move && x.startsWith('migrator: remove_migration_pte: pte_offset_map_lock'),
    );
    expect(labels.some((x) => x.startsWith('mremap: copy_vma: vma_start inside new_vma'))).toBe(true);
    expect(peek).toBeGreaterThan(move);
    expect(r.violation.message).toMatch(/pte\[32\] \(in S\) still holds a migration entry for P0/);
  });
});

describe('mremap-vs-rmap-walk: the PMD-level move (--param pmd=1) and the 2021 need_rmap_locks override', () => {
  const PMD = { pmd: 1 };
  test("need_rmap_locks is not enough for move_normal_pmd: reclaim's flush misses new_addr, a CPU keeps the freed page", () => {
    // Aneesh Kumar, 2021 ("mm/mremap: hold the rmap lock in write mode when moving page table
    // entries"): the PMD move takes no PTE lock, so try_to_unmap_one can clear the PTE through the
    // old pmd after the table moved, flushing old_addr only; the TLB entry filled at new_addr lives on.
    expect(violated('need-rmap-locks', PMD)).toEqual(['no-stale-tlb']);
    const r = explore(instantiate(model, 'need-rmap-locks', PMD), { strategy: 'bfs', properties: ['no-stale-tlb'] });
    if (r.kind !== 'violation') throw new Error('not violated');
    const labels = r.violation.trace.steps.map((s) => `${s.thread}: ${s.label}`);
    const at = (p: string) => labels.findIndex((x) => x.startsWith(p));
    expect(at('reclaim: page_vma_mapped_walk')).toBeLessThan(at('mremap: move_normal_pmd: pmd = *old_pmd'));
    expect(at('cpu: CPU: *new_addr')).toBeGreaterThan(at('mremap: move_normal_pmd: set_pmd_at'));
    expect(at('reclaim: try_to_unmap_one')).toBeGreaterThan(at('cpu: CPU: *new_addr'));
    expect(r.violation.message).toBe("a CPU's TLB still maps address 32 to P0, which reclaim freed: use-after-free");
  });
  test('taking the rmap locks for every PMD move (the 2021 fix), or always (108d6642), holds', () => {
    expect(violated('pmd-rmap-locks', PMD)).toEqual([]);
    expect(violated('anon-vma-lock', PMD)).toEqual([]);
    // The fix changes nothing for PTE-level moves.
    expect(violated('pmd-rmap-locks')).toEqual([]);
  });
});

describe('mremap-vs-rmap-walk: state space', () => {
  /** Naive states without the compiler's reductions: [defaults, ptes=2, pmd=1]. */
  const NAIVE_0_1: Record<string, readonly number[]> = {
    // Equal to the 0.1-API model at 5909b3b.
    'after-486cf46f': [455, 1261, 716],
    'before-486cf46f': [701, 2200, 716],
    'moveto-tail-v1': [428, 1099, 716],
    'moveto-tail': [434, 1073, 716],
    'anon-vma-lock': [198, 403, 403],
    'need-rmap-locks': [222, 447, 544],
    'need-rmap-locks-lt': [377, 885, 544],
    'need-rmap-locks-by-address': [363, 893, 544],
    'pgoff-reset-faulted': [258, 722, 364],
    'pmd-rmap-locks': [222, 447, 279],
    'tree-no-lock': [407, 1130, 544],
  };
  const SETTINGS = [{}, { ptes: 2 }, { pmd: 1 }];
  const naive = (red: Reductions, variant: string, params: Params & { pmd?: number }) => {
    const r = explore(instantiateWith(model, red, variant, params), { strategy: 'naive', stopAtFirst: false });
    return r.kind === 'error' ? r.message : r.stats.states;
  };
  /** The same with the compiler's reductions (local steps merged, the walks' dead addresses reset). */
  const NAIVE_REDUCED: Record<string, readonly number[]> = {
    'after-486cf46f': [395, 1109, 531],
    'before-486cf46f': [621, 1840, 531],
    'moveto-tail-v1': [379, 901, 531],
    'moveto-tail': [376, 853, 531],
    'anon-vma-lock': [190, 387, 311],
    'need-rmap-locks': [202, 408, 411],
    'need-rmap-locks-lt': [274, 601, 411],
    'need-rmap-locks-by-address': [311, 772, 411],
    'pgoff-reset-faulted': [258, 722, 297],
    'pmd-rmap-locks': [202, 408, 211],
    'tree-no-lock': [407, 1130, 411],
  };
  test('without reductions: the naive counts of the 0.1-API model at 5909b3b', () => {
    for (const variant of Object.keys(model.variants))
      expect([variant, SETTINGS.map((p) => naive(NO_REDUCTIONS, variant, p))]).toEqual([variant, NAIVE_0_1[variant]]);
  });
  test('with the reductions: fewer states (never more), the same verdicts in every layout', () => {
    for (const variant of Object.keys(model.variants)) {
      expect([variant, SETTINGS.map((p) => naive(ALL_REDUCTIONS, variant, p))]).toEqual([
        variant,
        NAIVE_REDUCED[variant],
      ]);
      NAIVE_REDUCED[variant].forEach((n, k) => expect(n).toBeLessThanOrEqual(NAIVE_0_1[variant][k]));
      for (let layout = 0; layout < LAYOUTS.length; layout++) {
        const outcomes = (red: Reductions) => {
          const inst = instantiateWith(model, red, variant, { layout });
          return verdicts(inst, explore(inst, { strategy: 'naive', stopAtFirst: false })).map((v) => v.outcome);
        };
        expect([variant, layout, outcomes(ALL_REDUCTIONS)]).toEqual([variant, layout, outcomes(NO_REDUCTIONS)]);
      }
    }
  });
  test('the compiled engine reaches the reference naive states at ptes=2 and pmd=1 too (test/engine covers the defaults)', () => {
    for (const variant of Object.keys(model.variants))
      for (const params of [{ ptes: 2 }, { pmd: 1 }] as Record<string, number>[]) {
        const inst = instantiateWith(model, NO_REDUCTIONS, variant, params);
        const states = (engine: 'reference' | 'compiled') => {
          const r = explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false, engine });
          return r.kind === 'error' ? r.message : [r.kind, r.stats.states, r.stats.transitions];
        };
        expect([variant, params, states('compiled')]).toEqual([variant, params, states('reference')]);
      }
  });
});
