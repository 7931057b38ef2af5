import { describe, expect, test } from '@jest/globals';
import model from '../../models/kernel/rmap-vs-vma-adjust.js';
import { instantiate } from '../../src/core/instantiate.js';
import { explore } from '../../src/explore/explore.js';
import { soloCost } from '../../src/explore/system/cost.js';
import { outcomesOf, verdictHelpers, type Params } from '../helpers/verdicts.js';
import { lockOrder } from '../../src/analysis/lock-order.js';
import { instantiateWith, NO_REDUCTIONS } from '../../src/lang/index.js';

const SHIFT = { mprotect: 1, exec: 0 }; // vma_merge moving the C1/C2 boundary (adjust_next)
const SPLIT = { mprotect: 2, exec: 0 }; // split_vma new_below: a torn (vm_start, vm_pgoff) of C1
const EXEC = { mprotect: 0, exec: 1 }; // shift_arg_pages
const CASE4 = { mprotect: 1, exec: 0, noanon: 1 }; // vma_merge case 4: C1 has no anon_vma, C2 grows down
const ALL = ['migration-entry-locked', 'no-dangling-migration-entry', 'no-pte-maps-freed-page', 'remove-walk-complete'];

const { outcomes, violated } = verdictHelpers(model);
/** Naive states at the exec shape with the compiler's reductions on. */
const REDUCED_EXEC: Record<string, number> = {
  'v2.6.34-rc': 600,
  'vma-anon-vma-lock': 445,
  'vma-seqcount': 1008,
  'mel-lock-seq': 533,
  'root-lock': 483,
  'no-temp-stack': 351,
  merged: 323,
  'next-anon-vma-lock': 313,
};

/** Which variants a scenario breaks. */
const broken = (params: Params) => Object.keys(model.variants).filter((v) => violated(v, params).length > 0);

const shortest = (variant: string, property: string, params: Params) => {
  const r = explore(instantiate(model, variant, params), { strategy: 'bfs', properties: [property] });
  if (r.kind !== 'violation') throw new Error(`${variant}: ${property} not violated`);
  const labels = r.violation.trace.steps.map((s) => `${s.thread}: ${s.label}`);
  const steps = r.violation.trace.steps;
  /** The step where the walk's cursor moves onto a VMA's avc. */
  const visit = (vmaName: string, from = 0) =>
    steps.findIndex((s, i) => i >= from && s.changes.some((c) => c.path.endsWith('cur') && c.after === vmaName));
  return {
    v: r.violation,
    labels,
    visit,
    at: (text: string, from = 0) => labels.findIndex((l, i) => i >= from && l.includes(text)),
  };
};

describe('rmap-vs-vma-adjust: which adversary breaks which variant', () => {
  test('mprotect shifting the boundary: every variant without one lock shared with the walker breaks', () => {
    // The page moves from C2 into C1: per-VMA seqcounts and Mel's per-VMA window check each VMA alone.
    expect(broken(SHIFT)).toEqual(['v2.6.34-rc', 'vma-anon-vma-lock', 'vma-seqcount', 'mel-lock-seq', 'no-temp-stack']);
    expect(violated('v2.6.34-rc', SHIFT)).toEqual(ALL);
  });
  test('split_vma: the torn (vm_start, vm_pgoff) breaks only the unprotected walks; both seqcount patches fix it', () => {
    // anon_vma_clone links the new VMA before vma_adjust, so a consistent read of C1 is enough here.
    expect(broken(SPLIT)).toEqual(['v2.6.34-rc', 'vma-anon-vma-lock', 'no-temp-stack']);
  });
  test('exec: shift_arg_pages breaks every lock and seqcount; only skipping the temporary stack fixes it', () => {
    // vma_adjust is complete (and locked) before move_page_tables runs unlocked.
    expect(broken(EXEC)).toEqual(['v2.6.34-rc', 'vma-anon-vma-lock', 'vma-seqcount', 'mel-lock-seq', 'root-lock']);
  });
  test('no adversary: migration alone holds in every variant (the properties are not vacuous either way)', () => {
    expect(broken({ mprotect: 0, exec: 0 })).toEqual([]);
  });
});

describe('rmap-vs-vma-adjust: every variant meets its expectation at the default parameters (both adversaries)', () => {
  for (const variant of Object.keys(model.variants))
    test(variant, () => {
      expect(outcomes(variant)).toEqual(instantiate(model, variant).expect);
    });
});

describe('rmap-vs-vma-adjust: the shortest counterexamples read like the thread', () => {
  test("v2.6.34-rc split: vma_adjust stores vm_start between the walk's vm_pgoff and vm_start loads", () => {
    const { v, at } = shortest('v2.6.34-rc', 'no-dangling-migration-entry', SPLIT);
    const pgoff = at('rmap_walk_anon: vma_address: load vma->vm_pgoff', at('rmap_walk_anon: list_for_each_entry'));
    const startStore = at('mprotect: vma_adjust: C1->vm_start = 2');
    expect(startStore).toBeGreaterThan(pgoff);
    expect(at('migrator: vma_address: load vma->vm_start', startStore)).toBeGreaterThan(startStore);
    // The torn pair (vm_start 2, vm_pgoff 0) puts P at 2 + (3 - 0) = 5: the walk peeks at the wrong PTE.
    expect(at('C1->vm_pgoff = 2')).toBe(-1);
    expect(v.message).toMatch(/mm1 pte\[3\] still holds a migration entry for P after P was unlocked/);
  });
  test("mel-lock-seq shift: the whole locked, counted vma_adjust runs between the walk's check of C1 and its read of C2", () => {
    const { v, at, labels, visit } = shortest('mel-lock-seq', 'no-dangling-migration-entry', SHIFT);
    const walk = at('migrator: rmap_walk_anon: spin_lock');
    const c1 = visit('C1', walk);
    const begin = at('write_seqcount_begin');
    const end = at('write_seqcount_end');
    expect(c1).toBeGreaterThan(walk);
    // C1 checked (old [0,3): -EFAULT, counter unchanged), then the whole adjust, then C2 read (new [4,6)).
    expect(begin).toBeGreaterThan(at('read_seqcount_retry', c1));
    expect(visit('C2', c1)).toBeGreaterThan(c1);
    expect(at('read_seqcount_begin', end)).toBeGreaterThan(end);
    expect(at('read_seqcount_begin', end)).toBeLessThan(at('load vma->vm_pgoff', end));
    expect(labels.some((l) => l.includes('goto retry'))).toBe(false);
    expect(v.message).toMatch(/mm1 pte\[3\]/);
  });
  test('mel-lock-seq exec: the walk runs after vma_adjust(new_start) and before move_page_tables', () => {
    // The lock and the counter cover vma_adjust only; the entry is still at the old address.
    const { v, at } = shortest('mel-lock-seq', 'no-dangling-migration-entry', EXEC);
    const adjust = at('exec: vma_adjust: spin_unlock');
    const peek = at('remove_migration_pte: pte = *ptep (lockless)', at('rmap_walk_anon: spin_lock'));
    expect(adjust).toBeGreaterThan(at('try_to_unmap_one'));
    expect(peek).toBeGreaterThan(adjust);
    expect(at('move_ptes')).toBe(-1);
    expect(v.message).toMatch(/mm2 pte\[4\] still holds a migration entry for Q0 after Q0 was unlocked/);
  });
  test('root-lock exec: the root lock is taken and released by the first vma_adjust; the entry moves later and the fault BUGs', () => {
    const { v, at, labels } = shortest('root-lock', 'migration-entry-locked', EXEC);
    const unlock = at('exec: vma_adjust: spin_unlock(&anon_vma->root->lock)');
    const peek = at('remove_migration_pte: pte = *ptep (lockless)');
    expect(peek).toBeGreaterThan(unlock);
    expect(at('exec: move_ptes: pte = ptep_clear_flush')).toBeGreaterThan(peek);
    expect(labels[labels.length - 1]).toMatch(/^exec: migration_entry_wait/);
    expect(v.message).toMatch(
      /kernel BUG at include\/linux\/swapops.h:105! migration_entry_to_page: page Q0 is unlocked/,
    );
  });
});

describe('rmap-vs-vma-adjust: scaling and cost', () => {
  test('more children and a longer stack grow the state space; the merged kernel still holds', () => {
    const states = (params: Params) => {
      const r = explore(instantiate(model, 'merged', params), { strategy: 'dfs' });
      expect(r.kind).toBe('pass');
      return r.kind === 'pass' ? r.stats.states : 0;
    };
    expect(states({ ...SHIFT, forks: 2 })).toBeGreaterThan(states(SHIFT));
    expect(states({ ...EXEC, stack: 2 })).toBeGreaterThan(states(EXEC));
  });
  test('vma_adjust takes one more lock in the locking variants; the migrator pays nothing for them', () => {
    const cost = (variant: string, i: number) =>
      soloCost(instantiate(model, variant, model.costs![i].params), model.costs![i].thread);
    expect(cost('v2.6.34-rc', 1).locks).toBe(0);
    expect(cost('root-lock', 1).locks).toBe(1);
    expect(cost('mel-lock-seq', 1).locks).toBe(1);
    expect(cost('root-lock', 0)).toEqual(cost('v2.6.34-rc', 0));
  });
  test("exec: 012f18004da3's root lock skips shift_arg_pages' second vma_adjust (only vm_end changes); Mel's patch locks both", () => {
    const cost = (variant: string) =>
      soloCost(instantiate(model, variant, model.costs![2].params), model.costs![2].thread).locks;
    expect(cost('v2.6.34-rc')).toBe(1); // move_ptes' PTL
    expect(cost('root-lock')).toBe(2); // + the first vma_adjust's root lock
    expect(cost('merged')).toBe(2);
    expect(cost('mel-lock-seq')).toBe(3);
    // Michel's 2012 fix dropped the end-only skip: `if (anon_vma) anon_vma_lock(anon_vma)`.
    expect(cost('next-anon-vma-lock')).toBe(3);
  });
});

describe('rmap-vs-vma-adjust: lock order (lockdep classes)', () => {
  test('the walks order anon_vma → ptl (the PTL sections are annotated; the walk-end unlock releases); no other dependency', () => {
    for (const variant of ['v2.6.34-rc', 'root-lock', 'mel-lock-seq'])
      for (const params of [SHIFT, EXEC]) {
        const r = lockOrder(instantiate(model, variant, params));
        expect(r.complete).toBe(true);
        expect(r.edges.map((e) => `${e.from} → ${e.to}`)).toEqual(['anon_vma → ptl']);
      }
  });
});

describe('rmap-vs-vma-adjust: mprotect case 4 (--param noanon=1), the hole Michel Lespinasse closed in 2012', () => {
  test('2.6.35 (merged) breaks; only locking next->anon_vma, or a per-VMA seqcount, holds', () => {
    // 2.6.35 vma_adjust locks only `if (vma->anon_vma && ...)`: in case 4 vma (C1) has none, and
    // next (C2, mapping the page) grows down with no lock. Michel's Sep 2012 patch ("mm: fix
    // potential anon_vma locking issue in mprotect()") falls back to next->anon_vma for exactly
    // this. The per-VMA seqcount holds: the page stays in C2, so one consistent read of C2 is enough.
    expect(broken(CASE4)).toEqual([
      'v2.6.34-rc',
      'vma-anon-vma-lock',
      'mel-lock-seq',
      'root-lock',
      'no-temp-stack',
      'merged',
    ]);
    expect(violated('merged', CASE4)).toEqual(ALL);
  });
  test("merged: the walk loads C2's old vm_pgoff, vma_adjust moves C2's start down unlocked, the walk computes address 2", () => {
    const { v, at } = shortest('merged', 'no-dangling-migration-entry', CASE4);
    const walk = at('migrator: rmap_walk_anon: spin_lock(&anon_vma->root->lock)');
    const pgoff = at('load vma->vm_pgoff', at('migrator: rmap_walk_anon: list_for_each_entry', walk + 2));
    const store = at('mprotect: vma_adjust: C2->vm_start -= 1');
    expect(store).toBeGreaterThan(pgoff);
    expect(at('migrator: vma_address: load vma->vm_start', store)).toBeGreaterThan(store);
    expect(at('spin_lock', walk + 1)).toBe(-1); // vma_adjust took no lock at all
    expect(v.message).toMatch(/mm1 pte\[3\] still holds a migration entry for P after P was unlocked/);
  });
  test('noanon=1 is a vma_merge shape: with split_vma (mprotect=2) it is refused', () => {
    expect(() => instantiate(model, 'merged', { mprotect: 2, noanon: 1 })).toThrow(/noanon=1 .* mprotect=1/);
  });
});

describe("rmap-vs-vma-adjust: vma_address's loads in every order the compiler may emit (--param order, reload)", () => {
  test('no verdict of any variant on any shape depends on the load order or on reloading vm_start', () => {
    // Every variant that breaks does so through a window (an unlocked store, or exec's
    // vma_adjust → move_page_tables) that any load order can straddle; every variant that holds
    // excludes vma_adjust for the whole walk (a lock) or retries it (the seqcount).
    // A search that stops at the first violation is enough to tell broken from holds (a pass is exhaustive).
    const breaks = (params: Params) =>
      Object.keys(model.variants).filter((v) => {
        const r = explore(instantiate(model, v, params), { strategy: 'dfs' });
        expect(r.kind === 'pass' || r.kind === 'violation').toBe(true);
        return r.kind === 'violation';
      });
    for (const shape of [SHIFT, SPLIT, CASE4]) {
      const want = broken(shape);
      for (let order = 0; order < 6; order++)
        for (const reload of [0, 1])
          expect([order, reload, breaks({ ...shape, order, reload })]).toEqual([order, reload, want]);
    }
  });
});

describe('rmap-vs-vma-adjust: state space equal to the 0.1-API model at 5909b3b', () => {
  // Naive search, no symmetry (the model declares none), the compiler's reductions off: [states, transitions]
  // of the 0.1 model (hand-written footprints) per variant, at the default parameters and six other shapes.
  const NAIVE: Record<string, [Params, Record<string, [number, number]>]> = {
    default: [
      {},
      {
        'v2.6.34-rc': [32153, 84546],
        'vma-anon-vma-lock': [32402, 83989],
        'vma-seqcount': [59546, 157484],
        'mel-lock-seq': [49355, 129409],
        'root-lock': [14881, 37460],
        'no-temp-stack': [23837, 62430],
        merged: [11418, 28225],
        'next-anon-vma-lock': [11982, 29243],
      },
    ],
    split: [
      { mprotect: 2, exec: 0 },
      {
        'v2.6.34-rc': [646, 1063],
        'vma-anon-vma-lock': [804, 1374],
        'vma-seqcount': [794, 1330],
        'mel-lock-seq': [1197, 2083],
        'root-lock': [344, 496],
        'no-temp-stack': [669, 1102],
        merged: [357, 513],
        'next-anon-vma-lock': [357, 513],
      },
    ],
    case4: [
      { exec: 0, noanon: 1 },
      {
        'v2.6.34-rc': [508, 856],
        'vma-anon-vma-lock': [508, 856],
        'vma-seqcount': [742, 1293],
        'mel-lock-seq': [569, 959],
        'root-lock': [508, 856],
        'no-temp-stack': [522, 882],
        merged: [522, 882],
        'next-anon-vma-lock': [269, 397],
      },
    ],
    exec2: [
      { mprotect: 0, stack: 2 },
      {
        'v2.6.34-rc': [957, 1706],
        'vma-anon-vma-lock': [641, 1059],
        'vma-seqcount': [1435, 2549],
        'mel-lock-seq': [786, 1296],
        'root-lock': [676, 1170],
        'no-temp-stack': [529, 925],
        merged: [441, 745],
        'next-anon-vma-lock': [441, 724],
      },
    ],
    forks3: [
      { exec: 0, forks: 3 },
      {
        'v2.6.34-rc': [1161, 1988],
        'vma-anon-vma-lock': [1434, 2527],
        'vma-seqcount': [1873, 3317],
        'mel-lock-seq': [2143, 3811],
        'root-lock': [429, 615],
        'no-temp-stack': [1217, 2089],
        merged: [450, 644],
        'next-anon-vma-lock': [450, 644],
      },
    ],
    stack3: [
      { mprotect: 0, stack: 3 },
      {
        'v2.6.34-rc': [1018, 1820],
        'vma-anon-vma-lock': [686, 1144],
        'vma-seqcount': [1509, 2689],
        'mel-lock-seq': [835, 1389],
        'root-lock': [721, 1255],
        'no-temp-stack': [559, 983],
        merged: [467, 795],
        'next-anon-vma-lock': [467, 774],
      },
    ],
    case4o5r1: [
      { exec: 0, noanon: 1, order: 5, reload: 1 },
      {
        'v2.6.34-rc': [606, 1020],
        'vma-anon-vma-lock': [606, 1020],
        'vma-seqcount': [866, 1509],
        'mel-lock-seq': [672, 1131],
        'root-lock': [606, 1020],
        'no-temp-stack': [620, 1046],
        merged: [620, 1046],
        'next-anon-vma-lock': [287, 421],
      },
    ],
  };
  for (const [shape, [params, want]] of Object.entries(NAIVE))
    test(`${shape} ${JSON.stringify(params)}: every variant`, () => {
      for (const v of Object.keys(model.variants)) {
        const r = explore(instantiateWith(model, NO_REDUCTIONS, v, params), {
          strategy: 'naive',
          stopAtFirst: false,
        });
        if (r.kind === 'error' || r.kind === 'incomplete') throw new Error(`${v}: ${r.kind}`);
        expect([v, r.stats.states, r.stats.transitions]).toEqual([v, ...want[v]]);
      }
    });
});

describe('rmap-vs-vma-adjust: in the model language', () => {
  const naive = (inst: ReturnType<typeof instantiate>, engine: 'reference' | 'compiled' = 'reference') => {
    const r = explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false, engine });
    if (r.kind === 'error' || r.kind === 'incomplete') throw new Error(r.kind);
    return r;
  };
  test('reductions on: the same verdicts, fewer states (the list step merged; walk and fault locals reset)', () => {
    const on: Record<string, number> = {};
    for (const v of Object.keys(model.variants)) {
      const inst = instantiate(model, v, EXEC);
      const r = naive(inst);
      expect([v, outcomesOf(inst, r)]).toEqual([
        v,
        outcomesOf(inst, naive(instantiateWith(model, NO_REDUCTIONS, v, EXEC))),
      ]);
      on[v] = r.stats.states;
    }
    expect(on).toEqual(REDUCED_EXEC);
  });
  test('the compiled engine reaches the reference states and verdicts on the exec shape (engine test: the others)', () => {
    for (const v of Object.keys(model.variants)) {
      const inst = instantiate(model, v, EXEC);
      const [ref, vec] = [naive(inst), naive(inst, 'compiled')];
      expect([v, vec.stats.states, vec.stats.transitions]).toEqual([v, ref.stats.states, ref.stats.transitions]);
      expect(outcomesOf(inst, vec)).toEqual(outcomesOf(inst, ref));
    }
  });
  test('no step declares a footprint by hand: every step is compiled from structured code', () => {
    for (const t of instantiate(model, 'mel-lock-seq').program.threads)
      for (const s of t.steps) expect(s).toHaveProperty('chain');
  });
});
