/**
 * rmap walks vs vma_adjust and exec's shift_arg_pages (seed 000: 2.6.34-rc, April–May 2010).
 *
 * Follows: mm/rmap.c: try_to_unmap_anon(), rmap_walk_anon(), vma_address() @ v2.6.34-rc (patch
 * mails); mm/migrate.c: unmap_and_move(), remove_migration_pte(), migration_entry_wait() @
 * v2.6.34; mm/mmap.c: vma_adjust(), split_vma(), vma_merge() @ v2.6.34 and @ v2.6.35 (root lock,
 * 012f18004da3) and @ v3.6 (Michel Lespinasse's case-4 fix, Sep 2012); fs/exec.c:
 * shift_arg_pages(), setup_arg_pages() @ v2.6.35 (a8bef8ff6ea1).
 *
 * Page migration (compaction, hot-remove; no mmap_sem) walks the page's anon_vma twice:
 * try_to_unmap replaces every PTE mapping the page with a migration entry, and after the copy
 * remove_migration_ptes must find every one of them again before unlock_page. Each walk computes
 * a VMA's address with vma_address() from plain loads of vm_pgoff, vm_start and vm_end. With the
 * 2.6.34 anon_vma_chain, vma_adjust() rewrote those fields with no anon_vma lock, so the remove
 * walk can miss an entry: a torn (vm_start, vm_pgoff) pair, or — mprotect shifting the boundary
 * between two VMAs — a walk that passes the VMA the page moves into before the shift and reaches
 * the VMA it left after it. exec's shift_arg_pages moves the temporary stack VMA down
 * (vma_adjust) before it moves the page tables (move_page_tables), so a walk in between looks at
 * the new address while the entry is still at the old one. The entry survives unlock_page, the
 * page is freed, and the next fault on it BUGs in migration_entry_to_page (swapops.h:105).
 *
 * Threads:
 *  - migrator: migrate_pages over its list (P, in a forked process tree; Q0, in exec's temporary
 *    stack): lock_page, try_to_unmap_anon (page_lock_anon_vma, one avc per step, vma_address as
 *    three loads, try_to_unmap_one under the PTL), page_mapped?, migrate_page_move_mapping's
 *    page_count check and the copy, remove_migration_ptes (rmap_walk_anon, vma_address, the
 *    lockless is_swap_pte peek, remove_migration_pte under the PTL), unlock, putback (frees it).
 *  - mprotect: the first child's mprotect. shape 1 (default): vma_merge shifting the boundary
 *    between C1 and C2 up by one page (vma_adjust with adjust_next: C1's start/end/pgoff stores,
 *    then next->vm_start += 1, next->vm_pgoff += 1); shape 2: split_vma new_below (anon_vma_clone
 *    links the new lower VMA at the list tail, then vma_adjust moves C1's start and pgoff).
 *    Then the user touches the page: the fault.
 *  - exec: shift_arg_pages (vma_adjust of the temporary stack down by the shift, move_page_tables
 *    one PTE per step under the PTL, the second vma_adjust), setup_arg_pages clearing
 *    VM_STACK_INCOMPLETE_SETUP, then load_elf_binary's create_elf_tables touching the stack: the fault.
 *  - the fault (tail of both adversaries): handle_pte_fault's lockless PTE read, then
 *    do_swap_page → migration_entry_wait: under the PTL, migration_entry_to_page's
 *    BUG_ON(!PageLocked), get_page_unless_zero, wait_on_page_locked, put_page, refault.
 *
 * Variants (verdicts found by the checker; docs/models/rmap-vs-vma-adjust.md has the traces):
 *  - v2.6.34-rc: no lock in vma_adjust.
 *  - vma-anon-vma-lock: vma_adjust takes vma->anon_vma->lock — the walker holds the *page's*
 *    anon_vma lock, a different object for a forked child's VMA (why "no single lock" in the seed).
 *  - vma-seqcount: KAMEZAWA's per-VMA seqcount (`vma->updating`) around each VMA's stores and
 *    vma_address_safe's retry loop in rmap_walk_anon.
 *  - mel-lock-seq (the seed's patch): vma_adjust takes vma->anon_vma->lock and mm->span_seqcounter;
 *    rmap_walk_anon samples the counter around vma_address and restarts the walk only when the
 *    VMA's anon_vma differs from the page's. Still broken: see the docs (two interleavings).
 *  - root-lock (012f18004da3, merged 2.6.35): vma_adjust and the walks lock the root anon_vma.
 *    Closes the mprotect races; exec's move_page_tables still runs unlocked after the first adjust.
 *  - no-temp-stack (a8bef8ff6ea1, merged): try_to_unmap_anon skips a VMA with
 *    VM_STACK_INCOMPLETE_SETUP for TTU_MIGRATION, so no entry is ever installed in exec's stack.
 *    Closes the exec race; the mprotect races remain.
 *  - merged: both (2.6.35). Holds on mprotect case 5 and the split; VIOLATED on case 4
 *    (`--param noanon=1`: C1, the VMA vma_adjust is called on, has no anon_vma, so 2.6.35's
 *    `if (vma->anon_vma && ...)` takes no lock while C2 — mapping the page — grows down).
 *  - next-anon-vma-lock: merged plus Michel Lespinasse's "mm: fix potential anon_vma locking issue
 *    in mprotect()" (Sep 2012): `anon_vma = vma->anon_vma; if (!anon_vma && adjust_next) anon_vma =
 *    next->anon_vma; if (anon_vma) lock` (the end-only skip is gone too). Holds on every shape.
 *
 * Parameters beyond the adversaries: `noanon` (mprotect case 4 above) and vma_address's code
 * generation — `order` picks one of the six orders of its three plain loads, `reload` loads
 * vm_start a second time for the range check. No verdict of any variant on any shape changes
 * with either (test/models/rmap-vs-vma-adjust.test.ts pins the sweep).
 *
 * Where the kernel source beat the thread / kernel-races.md (read in patch mails and a 3.x tree):
 *  - split_vma links the new VMA into the anon_vma lists (anon_vma_clone) *before* vma_adjust,
 *    so Mel's objection to KAMEZAWA's seqcount ("A-upper is not linked in yet") does not hold for
 *    the anon list; the checker shows the per-VMA seqcount does fix the split (shape 2) and fails
 *    on the boundary shift (shape 1), where each VMA is read consistently but the pair is not.
 *  - Both proposed patches change only rmap_walk_anon (the remove walk); try_to_unmap_anon keeps
 *    the plain vma_address. A miss in the unmap walk only leaves the page mapped: migration fails
 *    and the remove walk restores what was installed.
 *  - The merged a8bef8ff sets VM_STACK_INCOMPLETE_SETUP when the stack VMA is created
 *    (__bprm_mm_init), not only in setup_arg_pages, and clears it after the shift; the patch-mail
 *    version tested mm->map_count == 1 instead. The model starts with the flag set.
 *  - shift_arg_pages' first vma_adjust(vma, new_start, old_end, vm_pgoff) stores all three fields.
 *  - The source wins over kernel-races.md here: 012f18004da3 (v2 of "always lock the root
 *    anon_vma", 2.6.35) takes the root lock in vma_adjust only `if (vma->anon_vma && (insert ||
 *    importer || start != vma->vm_start))`, keeping 252c5f94's brk optimisation (until 3.7). So in
 *    root-lock and merged, exec's second vma_adjust(vma, new_start, new_end, ...), which changes
 *    only vm_end, takes no lock. Mel's patch (mel-lock-seq) locks unconditionally (`if
 *    (vma->anon_vma)`), and so does the vma-anon-vma-lock variant.
 *
 * Granularity: one step per load/store of a VMA field, per list step, per lock operation, per
 * PTE move of move_ptes. vma_address loads vm_pgoff, vm_start, vm_end in source order by default;
 * `--param order`/`reload` give the compiler's other choices: with vma_adjust storing vm_start
 * before vm_pgoff any order can tear, some giving a wrong in-range address instead of -EFAULT. split_vma (shape 2) is the path of both mprotect and munmap of part of a VMA. A PTL critical section of the walkers and of migration_entry_wait (lock,
 * re-read, act, unlock) is one step: everything else that touches those PTEs does so under the
 * same PTL or by a single lockless load, so nothing can observe its inside. page_check_address's
 * lockless pte_present peek in try_to_unmap_one is folded into it (a skip there only leaves the
 * page mapped). Not modelled: mmap_sem (one writer per mm; the migrator takes none), the
 * anon_vma lists of the child's own anon_vma (the walks here are on the parent's), free_pgd_range,
 * migrate_pages' -EAGAIN retry passes (a failed migration just ends), and a fault on pte_none.
 */
import { reads, writes } from '../../src/core/access.js';
import { ModelError } from '../../src/core/errors.js';
import { defineModel, type Program, type Verdict } from '../../src/core/model.js';
import { assertion, type Property } from '../../src/core/property.js';
import { andThen, step, type LockOp, type Step, type StepOutcome } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { local } from '../../src/core/ops.js';
import {
  anonVma,
  anonVmaLock,
  anonVmaUnlock,
  anonVmaUnlockWalkDone,
  avcAddTail,
  avcListCorruption,
  avcWalkNext,
  type AnonVma,
} from '../../src/kernel/anon-vma.js';
import {
  FOLIO_LOCK,
  REFCOUNT,
  folio,
  withFolio,
  folioLockOrQueue,
  folioLockSleep,
  folioPut,
  folioUnlock,
  folioWaitUnlocked,
  lockLoc,
  mapLoc,
  refLoc,
  type Folio,
} from '../../src/kernel/folio.js';
import { PTL_CLASS } from '../../src/kernel/mremap.js';
import { PTE_NONE, migrationEntry, present, pteLoc, setPte, type Pte } from '../../src/kernel/pte.js';
import { lockMisuse, lockOp, spinLock, spinUnlock, UNLOCKED } from '../../src/kernel/spinlock.js';
import type { ShowRule } from '../../src/core/show.js';
import { annotated, type Callers } from '../../src/core/annotations.js';
import { folioShow } from '../../src/kernel/folio.js';
import { anonVmaShow } from '../../src/kernel/anon-vma.js';
import {
  EFAULT,
  VMA_STACK_INCOMPLETE_SETUP,
  vma,
  vmaAddress,
  vmaAddressReload,
  vmaLoad,
  vmaLoadFlags,
  vmaLoc,
  vmaSetFlags,
  vmaStore,
  type Vma,
  type VmaField,
  type VmaSnap,
} from '../../src/kernel/vma.js';
import {
  MIGRATION_ENTRY_LOCKED,
  NO_DANGLING,
  NO_PTE_MAPS_FREED,
  REMOVE_WALK_COMPLETE,
  migrationEntryLocked,
  migrationEntryToPage,
  noDanglingMigrationEntry,
  noPteMapsFreedPage,
  removeWalkComplete,
  type MigrationEntryView,
  type MigrationWalk,
} from '../../properties/migration-entries.js';

export interface S {
  readonly vmas: Readonly<Record<string, Vma>>;
  readonly anon_vmas: Readonly<Record<string, AnonVma>>;
  /** Page tables: entry `mm * SPAN + address`. */
  readonly pte: readonly Pte[];
  /** One PTL per mm (one page-table page each). */
  readonly ptl: readonly number[];
  readonly folios: Readonly<Record<string, Folio>>;
  /** Seqcounts: per VMA (vma-seqcount) or per mm (mel-lock-seq), by name. */
  readonly seq: Readonly<Record<string, number>>;
  /** Per migrated page: entries installed by the unmap walk, replaced by the remove walk. */
  readonly mig: Readonly<Record<string, MigrationWalk>>;
}

type AdjustLock = 'none' | 'vma-anon-vma' | 'vma-seqcount' | 'mel' | 'root' | 'root-next';

interface Options {
  /** What vma_adjust takes around its stores, and how rmap_walk_anon checks. */
  readonly adjust: AdjustLock;
  /** try_to_unmap_anon skips VM_STACK_INCOMPLETE_SETUP VMAs for TTU_MIGRATION (a8bef8ff). */
  readonly skipTempStack: boolean;
}

const SPAN = 8;
const MIGRATOR = 0;
const PAGE_INDEX = 3; // P's page->index: address 3 in every process of the fork tree
const SHIFT = 4; // exec's stack shift, in pages

/**
 * vma_address()'s plain loads in each order the compiler may emit them (param `order`): nothing
 * (no READ_ONCE, no barrier) orders them. 0 is the source order (vm_pgoff, vm_start, vm_end).
 */
export const LOAD_ORDERS: readonly (readonly VmaField[])[] = [
  ['pgoff', 'start', 'end'],
  ['pgoff', 'end', 'start'],
  ['start', 'pgoff', 'end'],
  ['start', 'end', 'pgoff'],
  ['end', 'pgoff', 'start'],
  ['end', 'start', 'pgoff'],
];
const NO_RELOAD = -2;

/** What the parameters choose about vma_address's code generation. */
interface Codegen {
  /** Index into LOAD_ORDERS. */
  readonly loadOrder: number;
  /** The range check's `address < vma->vm_start` loads vm_start again (after the other loads). */
  readonly reload: boolean;
}

// ---------------------------------------------------------------- layout

interface PageInfo {
  readonly name: string;
  readonly index: number;
  /** page_anon_vma(page). */
  readonly av: string;
  /** The page the migrator copies it to. */
  readonly dst: string;
}

interface Layout {
  readonly mmOf: Readonly<Record<string, number>>;
  readonly pages: readonly PageInfo[];
  readonly init: S;
  readonly execMm: number;
}

const pi = (mm: number, addr: number) => mm * SPAN + addr;

function layout(p: Readonly<Record<string, number>>): Layout {
  const forks = p.forks;
  const execMm = forks + 1;
  const vmas: Record<string, Vma> = { A: vma(0, 6, 0, 'AV0') };
  const mmOf: Record<string, number> = { A: 0 };
  const anon_vmas: Record<string, AnonVma> = {};
  const pte: Pte[] = Array.from({ length: (execMm + 1) * SPAN }, () => PTE_NONE);
  const folios: Record<string, Folio> = {};
  const seq: Record<string, number> = {};
  const list = ['A'];
  pte[pi(0, PAGE_INDEX)] = present('P');
  // child 1 (the mprotect caller): shape 1 has C1 [0,3) and C2 [3,6) (split earlier: C2 at the
  // list tail); shape 2 has one VMA C1 [0,6), and C2 is the lower part split_vma will link.
  if (p.mprotect === 2) {
    vmas.C1 = vma(0, 6, 0, 'AV1');
    vmas.C2 = vma(0, 2, 0, 'AV1');
  } else {
    // noanon (mprotect case 4): C1 was never faulted, so it has no anon_vma and is on no list.
    vmas.C1 = vma(0, 3, 0, p.noanon ? null : 'AV1');
    vmas.C2 = vma(3, 6, 3, 'AV1');
  }
  mmOf.C1 = mmOf.C2 = 1;
  if (!p.noanon) list.push('C1');
  anon_vmas.AV1 = anonVma('AV1', p.noanon ? ['C2'] : ['C1', 'C2'], 'AV0');
  pte[pi(1, PAGE_INDEX)] = present('P');
  for (let k = 2; k <= forks; k++) {
    const v = `D${k}`;
    vmas[v] = vma(0, 6, 0, `AV${k}`);
    mmOf[v] = k;
    anon_vmas[`AV${k}`] = anonVma(`AV${k}`, [v], 'AV0');
    list.push(v);
    pte[pi(k, PAGE_INDEX)] = present('P');
  }
  if (p.mprotect !== 2) list.push('C2');
  anon_vmas.AV0 = anonVma('AV0', list);
  for (const v of Object.keys(vmas)) seq[v] = 0;
  for (let mm = 0; mm <= execMm; mm++) seq[`mm${mm}`] = 0;
  const pages: PageInfo[] = [];
  if (p.mprotect > 0 || p.exec === 0) {
    pages.push({ name: 'P', index: PAGE_INDEX, av: 'AV0', dst: 'P2' });
    folios.P = folio({ ref: forks + 2, mapcount: forks + 1 });
    folios.P2 = folio({ ref: 1, locked: MIGRATOR });
  } else folios.P = folio({ ref: forks + 1, mapcount: forks + 1 });
  if (p.exec) {
    // exec's temporary stack S at [SHIFT, SHIFT + stack), vm_pgoff 0: page Qi has index i.
    vmas.S = vma(SHIFT, SHIFT + p.stack, 0, 'AVS', VMA_STACK_INCOMPLETE_SETUP);
    mmOf.S = execMm;
    seq.S = 0;
    anon_vmas.AVS = anonVma('AVS', ['S']);
    for (let i = 0; i < p.stack; i++) {
      pte[pi(execMm, SHIFT + i)] = present(`Q${i}`);
      folios[`Q${i}`] = folio({ ref: i === 0 ? 2 : 1, mapcount: 1 });
    }
    pages.push({ name: 'Q0', index: 0, av: 'AVS', dst: 'Q0n' });
    folios.Q0n = folio({ ref: 1, locked: MIGRATOR });
  }
  const mig: Record<string, MigrationWalk> = {};
  for (const pg of pages) mig[pg.name] = { folio: pg.name, installed: 0, removed: 0, finished: false };
  return {
    mmOf,
    pages,
    execMm,
    init: { vmas, anon_vmas, pte, ptl: Array.from({ length: execMm + 1 }, () => UNLOCKED), folios, seq, mig },
  };
}

const rootOf = (s: S, av: string) => s.anon_vmas[av].root;

// ---------------------------------------------------------------- migrator

interface ML {
  /** Position in the migrator's page list. */
  readonly pg: number;
  /** The avc the walk stands on (its VMA), null at the list head. */
  readonly cur: string | null;
  readonly snap: VmaSnap;
  readonly addr: number;
  /** Sampled seqcount (vma-seqcount / mel-lock-seq). */
  readonly seq: number;
  /** vma_address's second load of vm_start (param reload), NO_RELOAD otherwise. */
  readonly start2: number;
  /** remove_migration_ptes(page, dst): the new page, or the page itself when migration failed. */
  readonly dst: string;
}

function withMig(s: S, page: string, f: (w: MigrationWalk) => Partial<MigrationWalk>): S {
  return { ...s, mig: { ...s.mig, [page]: { ...s.mig[page], ...f(s.mig[page]) } } };
}

/** A PTL critical section as one step: blocked while the PTL is held; the body sees the PTE. Lockdep: acquire and release of the PTL. */
function underPtl<L>(
  label: string,
  name: string | undefined,
  where: (l: L) => [number, number],
  extra: (s: S, l: L) => string[],
  body: (s: S, l: L, tid: number, i: number) => StepOutcome<S, L>,
): Step<S, L> {
  const path = (l: L) => ['ptl', where(l)[0]];
  const acquire = lockOp<L>('acquire', path, PTL_CLASS);
  const release = lockOp<L>('release', path, PTL_CLASS);
  return {
    label,
    name,
    cost: 'lock',
    lock: (s, l, tid) => [acquire(s, l, tid) as LockOp, release(s, l, tid) as LockOp],
    guard: (s, l) => s.ptl[where(l)[0]] === UNLOCKED,
    footprint: (s, l) => {
      const [mm, addr] = where(l);
      return writes(`ptl[${mm}]`, pteLoc(pi(mm, addr)), ...extra(s, l));
    },
    run: (s, l, tid) => {
      const [mm, addr] = where(l);
      return body(s, l, tid, pi(mm, addr));
    },
  };
}

function migratorSteps(o: Options & Codegen, lay: Layout, init: S): Step<S, ML>[] {
  const page = (l: ML) => lay.pages[l.pg];
  const walkAv = (l: ML) => (o.adjust === 'root' ? rootOf(init, page(l).av) : page(l).av);
  const cur = (l: ML) => l.cur as string;
  const mmCur = (l: ML) => lay.mmOf[cur(l)];
  const setCur = (l: ML, v: string | null): ML => ({ ...l, cur: v, snap: {} });
  /** The last of vma_address's loads computes the address (with `reload`, from the second vm_start). */
  const compute = (onEfault: string | null, l: ML, snap: VmaSnap): StepOutcome<S, ML> => {
    const full = snap as Record<VmaField, number>;
    const addr =
      l.start2 === NO_RELOAD ? vmaAddress(page(l).index, full) : vmaAddressReload(page(l).index, full, l.start2);
    return onEfault !== null && addr === EFAULT ? { goto: onEfault } : { l: { ...l, snap, addr, start2: NO_RELOAD } };
  };
  const loads = (walk: 'u' | 'r', onEfault: string | null): Step<S, ML>[] => {
    const order = LOAD_ORDERS[o.loadOrder];
    const last = order.length - 1;
    const out = order.map((f, k) =>
      step(
        `${k === 0 ? `${walk === 'u' ? 'try_to_unmap_anon' : 'rmap_walk_anon'}: ` : ''}vma_address: load vma->vm_${f}${
          k === last && !o.reload && onEfault !== null ? '; -EFAULT → next avc' : ''
        }`,
        vmaLoad<S, ML>(cur, f, (l, v) => {
          const snap = { ...l.snap, [f]: v };
          return k === last && !o.reload ? compute(onEfault, l, snap) : { l: { ...l, snap } };
        }),
      ),
    );
    if (o.reload)
      out.push(
        step(
          `vma_address: load vma->vm_start again for the range check${onEfault !== null ? '; -EFAULT → next avc' : ''}`,
          vmaLoad<S, ML>(cur, 'start', (l, v) => compute(onEfault, { ...l, start2: v }, l.snap)),
        ),
      );
    return out;
  };

  const steps: Step<S, ML>[] = [
    local('migrate_pages: next page on the list', (l) => (l.pg >= lay.pages.length ? { goto: 'exit' } : {}), 'page'),
    step(
      'unmap_and_move: lock_page(page)',
      folioLockOrQueue<S, ML>((l) => page(l).name, 'locked'),
    ),
    step(
      'unmap_and_move: lock_page sleeps',
      folioLockSleep<S, ML>((l) => page(l).name),
    ),
    // ---- try_to_unmap(page, TTU_MIGRATION) → try_to_unmap_anon
    step(
      `try_to_unmap_anon: page_lock_anon_vma${o.adjust === 'root' ? ' (the root)' : ''}`,
      anonVmaLock<ML>(walkAv),
      'locked',
    ),
    step(
      'try_to_unmap_anon: list_for_each_entry: next avc',
      avcWalkNext<S, ML>(walkAv, (l) => l.cur, setCur, 'u_done'),
      'u_next',
    ),
  ];
  if (o.skipTempStack)
    steps.push(
      step(
        'try_to_unmap_anon: is_vma_temporary_stack(vma)? → skip',
        vmaLoadFlags<S, ML>(cur, (_l, f) => (f & VMA_STACK_INCOMPLETE_SETUP ? { goto: 'u_next' } : {})),
      ),
    );
  steps.push(
    ...loads('u', 'u_next'),
    underPtl<ML>(
      'try_to_unmap_one: PTL; page_check_address; ptep_clear_flush; set_pte_at(migration entry); page_remove_rmap; put_page',
      undefined,
      (l) => [mmCur(l), l.addr],
      (_s, l) => [refLoc(page(l).name), mapLoc(page(l).name), `mig.${page(l).name}`],
      (s, l, _tid, i) => {
        const pg = page(l).name;
        const p = s.pte[i];
        if (p.kind !== 'present' || p.folio !== pg) return { goto: 'u_next' };
        const fo = s.folios[pg];
        const s1 = withFolio(setPte(s, i, migrationEntry(pg)), pg, { mapcount: fo.mapcount - 1, ref: fo.ref - 1 });
        return { s: withMig(s1, pg, (w) => ({ installed: w.installed + 1 })), goto: 'u_next' };
      },
    ),
    step('try_to_unmap_anon: page_unlock_anon_vma', anonVmaUnlock<ML>(walkAv), 'u_done'),
    {
      label: 'unmap_and_move: page_mapped(page)? → skip the move',
      footprint: (_s, l) => reads(mapLoc(page(l).name)),
      run: (s, l) => (s.folios[page(l).name].mapcount > 0 ? { l: { ...l, dst: page(l).name }, goto: 'r_lock' } : {}),
    },
    {
      label: 'migrate_page_move_mapping: page_count(page) != 1 → -EAGAIN; else migrate_page_copy',
      footprint: (_s, l) => reads(refLoc(page(l).name)),
      run: (s, l) => ({ l: { ...l, dst: s.folios[page(l).name].ref === 1 ? page(l).dst : page(l).name } }),
    },
    // ---- remove_migration_ptes(page, dst) → rmap_walk_anon
    step(
      `rmap_walk_anon: spin_lock(&anon_vma->${o.adjust === 'root' ? 'root->' : ''}lock)`,
      anonVmaLock<ML>(walkAv),
      'r_lock',
    ),
    step(
      'rmap_walk_anon: list_for_each_entry: next avc',
      avcWalkNext<S, ML>(walkAv, (l) => l.cur, setCur, 'r_done'),
      'r_next',
    ),
  );
  const seqKey = (l: ML) => (o.adjust === 'vma-seqcount' ? cur(l) : `mm${mmCur(l)}`);
  const checked = o.adjust === 'vma-seqcount' || o.adjust === 'mel';
  if (checked)
    steps.push({
      label:
        o.adjust === 'mel'
          ? 'rmap_walk_anon: read_seqcount_begin(&mm->span_seqcounter)'
          : 'vma_address_safe: read_seqcount_begin(&vma->updating)',
      name: 'r_seq',
      guard: (s, l) => s.seq[seqKey(l)] % 2 === 0,
      footprint: (_s, l) => reads(`seq.${seqKey(l)}`),
      run: (s, l) => ({ l: { ...l, seq: s.seq[seqKey(l)] } }),
    });
  steps.push(...loads('r', checked ? null : 'r_next'));
  if (o.adjust === 'vma-seqcount')
    steps.push({
      label: 'vma_address_safe: read_seqcount_retry(&vma->updating)? → retry; -EFAULT → next avc',
      footprint: (_s, l) => reads(`seq.${seqKey(l)}`),
      run: (s, l) =>
        s.seq[seqKey(l)] !== l.seq
          ? { l: { ...l, snap: {} }, goto: 'r_seq' }
          : l.addr === EFAULT
            ? { goto: 'r_next' }
            : {},
    });
  if (o.adjust === 'mel')
    steps.push(
      {
        label: 'rmap_walk_anon: anon_vma != vma->anon_vma && read_seqcount_retry? → restart; -EFAULT → next avc',
        footprint: (_s, l) => reads(`seq.${seqKey(l)}`, vmaLoc(cur(l), 'anon')),
        run: (s, l) => {
          if (s.vmas[cur(l)].anon !== page(l).av && s.seq[seqKey(l)] !== l.seq) return { goto: 'r_restart' };
          return { goto: l.addr === EFAULT ? 'r_next' : 'r_peek' };
        },
      },
      step(
        'rmap_walk_anon: spin_unlock(anon_vma->lock); goto retry',
        andThen(anonVmaUnlock<ML>(walkAv), (l) => ({ l: setCur(l, null), goto: 'r_lock' })),
        'r_restart',
      ),
    );
  steps.push(
    {
      label: 'remove_migration_pte: pte = *ptep (lockless); !is_swap_pte → next avc',
      name: 'r_peek',
      footprint: (_s, l) => reads(pteLoc(pi(mmCur(l), l.addr))),
      run: (s, l) => (s.pte[pi(mmCur(l), l.addr)].kind === 'migration' ? {} : { goto: 'r_next' }),
    },
    underPtl<ML>(
      'remove_migration_pte: PTL; migration entry for page? set_pte_at(dst); get_page(dst); page_add_anon_rmap',
      undefined,
      (l) => [mmCur(l), l.addr],
      (_s, l) => [refLoc(l.dst), mapLoc(l.dst), `mig.${page(l).name}`],
      (s, l, _tid, i) => {
        const pg = page(l).name;
        const p = s.pte[i];
        if (p.kind !== 'migration' || p.folio !== pg) return { goto: 'r_next' };
        const d = s.folios[l.dst];
        const s1 = withFolio(setPte(s, i, present(l.dst)), l.dst, { ref: d.ref + 1, mapcount: d.mapcount + 1 });
        return { s: withMig(s1, pg, (w) => ({ removed: w.removed + 1 })), goto: 'r_next' };
      },
    ),
    {
      label: `rmap_walk_anon: spin_unlock(&anon_vma->${o.adjust === 'root' ? 'root->' : ''}lock)`,
      name: 'r_done',
      ...anonVmaUnlockWalkDone<S, ML>(
        walkAv,
        (l) => [`mig.${page(l).name}`],
        (s, l) => withMig(s, page(l).name, () => ({ finished: true })),
      ),
    },
    {
      label: 'move_to_new_page: unlock_page(newpage) / free the unused newpage',
      footprint: (_s, l) => writes(lockLoc(page(l).dst), refLoc(page(l).dst)),
      run: (s, l, tid) => {
        const d = page(l).dst;
        if (s.folios[d].locked !== tid)
          return { violation: { property: FOLIO_LOCK, message: `unlock_page(${d}) not locked by the migrator` } };
        return { s: withFolio(s, d, l.dst === d ? { locked: UNLOCKED } : { locked: UNLOCKED, ref: 0 }) };
      },
    },
    step(
      'unmap_and_move: unlock_page(page)',
      folioUnlock<S, ML>((l) => page(l).name),
    ),
    step(
      'unmap_and_move: putback_lru_page(page) (frees a migrated page)',
      andThen(
        folioPut<S, ML>((l) => page(l).name),
        (l) => ({ l: { ...l, pg: l.pg + 1, cur: null, snap: {}, dst: '' }, goto: 'page' }),
      ),
    ),
  );
  return steps;
}

// ---------------------------------------------------------------- vma_adjust (both adversaries)

interface AL {
  /** migration_entry_wait: the page whose entry the fault found. */
  readonly f: string;
}

interface Store {
  readonly vma: string;
  readonly field: VmaField;
  readonly value: (old: number) => number;
  readonly text: string;
}

/** vma_adjust(): the locking of the variant around the field stores (grouped per VMA for the per-VMA seqcount). */
function vmaAdjust(
  o: Options,
  init: S,
  mm: number,
  who: string,
  groups: readonly (readonly Store[])[],
  endOnly = false,
): Step<S, AL>[] {
  const first = groups[0][0].vma;
  const vmaAv = init.vmas[first].anon;
  // Michel Lespinasse, Sep 2012 ("mm: fix potential anon_vma locking issue in mprotect()"):
  // `anon_vma = vma->anon_vma; if (!anon_vma && adjust_next) anon_vma = next->anon_vma;`
  const nextAv = groups.length > 1 ? init.vmas[groups[1][0].vma].anon : null;
  const av = (o.adjust === 'root-next' ? (vmaAv ?? nextAv) : vmaAv) as string;
  const rooted = o.adjust === 'root' || o.adjust === 'root-next';
  const out: Step<S, AL>[] = [];
  const lockAv = rooted && av !== null ? rootOf(init, av) : av;
  // 012f18004da3 takes the lock only `if (vma->anon_vma && (insert || importer || start != vma->vm_start))`;
  // Mel's patch and vma->anon_vma locking `if (vma->anon_vma)`; Michel's fix `if (anon_vma)`.
  const locks =
    av !== null &&
    (o.adjust === 'vma-anon-vma' ||
      o.adjust === 'mel' ||
      o.adjust === 'root-next' ||
      (o.adjust === 'root' && !endOnly));
  const seqBump = (key: string, what: string): Step<S, AL> => ({
    label: what,
    footprint: () => writes(`seq.${key}`),
    run: (s) => ({ s: { ...s, seq: { ...s.seq, [key]: s.seq[key] + 1 } } }),
  });
  if (locks)
    out.push(
      step(
        `${who}: vma_adjust: spin_lock(&${rooted ? 'anon_vma->root' : vmaAv === null ? 'next->anon_vma' : 'vma->anon_vma'}->lock)`,
        anonVmaLock<AL>(lockAv),
      ),
    );
  if (o.adjust === 'mel' && locks)
    out.push(seqBump(`mm${mm}`, `${who}: vma_adjust: write_seqcount_begin(&mm->span_seqcounter)`));
  for (const g of groups) {
    if (o.adjust === 'vma-seqcount')
      out.push(seqBump(g[0].vma, `${who}: vma_adjust: write_seqcount_begin(&${g[0].vma}->updating)`));
    for (const st of g) out.push(step(`${who}: vma_adjust: ${st.text}`, vmaStore<S, AL>(st.vma, st.field, st.value)));
    if (o.adjust === 'vma-seqcount')
      out.push(seqBump(g[0].vma, `${who}: vma_adjust: write_seqcount_end(&${g[0].vma}->updating)`));
  }
  if (o.adjust === 'mel' && locks)
    out.push(seqBump(`mm${mm}`, `${who}: vma_adjust: write_seqcount_end(&mm->span_seqcounter)`));
  if (locks)
    out.push(
      step(
        `${who}: vma_adjust: spin_unlock(&${rooted ? 'anon_vma->root' : vmaAv === null ? 'next->anon_vma' : 'vma->anon_vma'}->lock)`,
        anonVmaUnlock<AL>(lockAv),
      ),
    );
  return out;
}

const set = (vmaName: string, field: VmaField, v: number): Store => ({
  vma: vmaName,
  field,
  value: () => v,
  text: `${vmaName}->vm_${field} = ${v}`,
});
const add = (vmaName: string, field: VmaField, d: number): Store => ({
  vma: vmaName,
  field,
  value: (x) => x + d,
  text: d < 0 ? `${vmaName}->vm_${field} -= ${-d}` : `${vmaName}->vm_${field} += ${d}`,
});

/** The user touches the page: handle_pte_fault → do_swap_page → migration_entry_wait. */
function faultSteps(who: string, view: MigrationEntryView<S>, mm: number, addr: number): Step<S, AL>[] {
  const i = pi(mm, addr);
  return [
    {
      label: `${who} fault: handle_pte_fault: entry = *pte (lockless); not a swap entry → done`,
      name: 'access',
      footprint: () => reads(pteLoc(i)),
      run: (s) => (s.pte[i].kind === 'migration' ? {} : { goto: 'exit' }),
    },
    underPtl<AL>(
      `${who} fault: migration_entry_wait: PTL; is_migration_entry; migration_entry_to_page; get_page_unless_zero`,
      undefined,
      () => [mm, addr],
      (s) => {
        const p = s.pte[i];
        return p.kind === 'migration' ? [refLoc(p.folio), lockLoc(p.folio)] : [];
      },
      (s, l, tid) => {
        const p = s.pte[i];
        if (p.kind !== 'migration') return { goto: 'access' };
        const bug = migrationEntryToPage(view, s, p.folio);
        if (bug) return { violation: bug };
        const fo = s.folios[p.folio];
        if (fo.ref === 0) return { goto: 'access' };
        const waiters = fo.locked === UNLOCKED ? fo.waiters : fo.waiters | (1 << tid);
        return {
          s: withFolio(s, p.folio, { ref: fo.ref + 1, held: fo.held | (1 << tid), waiters }),
          l: { ...l, f: p.folio },
        };
      },
    ),
    step(
      `${who} fault: migration_entry_wait: wait_on_page_locked`,
      folioWaitUnlocked<S, AL>((l) => l.f),
    ),
    step(
      `${who} fault: migration_entry_wait: put_page; refault`,
      andThen(
        folioPut<S, AL>((l) => l.f, true),
        () => ({ goto: 'access' }),
      ),
    ),
  ];
}

function mprotectSteps(o: Options, shape: number, init: S, view: MigrationEntryView<S>): Step<S, AL>[] {
  const who = 'mprotect';
  if (shape === 2)
    return [
      step(
        `${who}: split_vma: anon_vma_clone(C2): spin_lock(&anon_vma->lock)`,
        anonVmaLock<AL>(o.adjust === 'root' ? rootOf(init, 'AV0') : 'AV0'),
      ),
      step(`${who}: split_vma: anon_vma_chain_link: list_add_tail(C2)`, avcAddTail<S, AL>('AV0', 'C2')),
      step(
        `${who}: split_vma: anon_vma_clone(C2): spin_unlock`,
        anonVmaUnlock<AL>(o.adjust === 'root' ? rootOf(init, 'AV0') : 'AV0'),
      ),
      ...vmaAdjust(o, init, 1, who, [[set('C1', 'start', 2), set('C1', 'end', 6), set('C1', 'pgoff', 2)]]),
      ...faultSteps('child', view, 1, PAGE_INDEX),
    ];
  if (shape === 4)
    // vma_merge, mprotect case 4: mprotect(2, 1) of the never-faulted C1 [0,3) matches C2 [3,6):
    // vma_adjust(C1, 0, 2, 0) shrinks C1 and C2 grows down, adjust_next = -1 (exporter C1, importer
    // C2; C1 has no anon_vma to clone).
    return [
      ...vmaAdjust(o, init, 1, who, [
        [set('C1', 'start', 0), set('C1', 'end', 2), set('C1', 'pgoff', 0)],
        [add('C2', 'start', -1), add('C2', 'pgoff', -1)],
      ]),
      ...faultSteps('child', view, 1, PAGE_INDEX),
    ];
  // vma_merge, mprotect case 5: C1 [0,3) grows over [3,4) of C2 [3,6): adjust_next = +1.
  return [
    ...vmaAdjust(o, init, 1, who, [
      [set('C1', 'start', 0), set('C1', 'end', 4), set('C1', 'pgoff', 0)],
      [add('C2', 'start', 1), add('C2', 'pgoff', 1)],
    ]),
    ...faultSteps('child', view, 1, PAGE_INDEX),
  ];
}

function execSteps(o: Options, lay: Layout, stack: number, view: MigrationEntryView<S>): Step<S, AL>[] {
  const mm = lay.execMm;
  const ptl = ['ptl', mm] as const;
  const moves: Step<S, AL>[] = Array.from({ length: stack }, (_, k) => ({
    label: `exec: move_ptes: pte = ptep_clear_flush(old ${SHIFT + k}); set_pte_at(new ${k}, pte)`,
    footprint: () => writes(pteLoc(pi(mm, SHIFT + k)), pteLoc(pi(mm, k))),
    run: (s) => {
      const old = s.pte[pi(mm, SHIFT + k)];
      return old.kind === 'none' ? {} : { s: setPte(setPte(s, pi(mm, SHIFT + k), PTE_NONE), pi(mm, k), old) };
    },
  }));
  const steps: Step<S, AL>[] = [
    ...vmaAdjust(o, lay.init, mm, 'exec shift_arg_pages', [
      [set('S', 'start', 0), set('S', 'end', SHIFT + stack), set('S', 'pgoff', 0)],
    ]),
    step('exec: move_page_tables: move_ptes: spin_lock(old PTL); new PTL is the same', spinLock<AL>(ptl, PTL_CLASS)),
    ...moves,
    step('exec: move_ptes: spin_unlock(PTL)', spinUnlock<AL>(ptl, PTL_CLASS)),
    // vma_adjust(vma, new_start, new_end, vma->vm_pgoff, NULL): start is already vm_start (the
    // first adjust stored it; only exec, holding mmap_sem for write, changes S), so only vm_end changes.
    ...vmaAdjust(
      o,
      lay.init,
      mm,
      'exec shift_arg_pages',
      [[set('S', 'start', 0), set('S', 'end', stack), set('S', 'pgoff', 0)]],
      true,
    ),
  ];
  if (o.skipTempStack)
    steps.push(
      step(
        'exec: setup_arg_pages: vm_flags &= ~VM_STACK_INCOMPLETE_SETUP',
        vmaSetFlags<S, AL>('S', (f) => f & ~VMA_STACK_INCOMPLETE_SETUP),
      ),
    );
  steps.push(...faultSteps('exec create_elf_tables', view, mm, 0));
  return steps;
}

// ---------------------------------------------------------------- properties

function viewOf(lay: Layout): MigrationEntryView<S> {
  return {
    reads: ['pte', 'mig', ...Object.keys(lay.init.folios).flatMap((n) => [lockLoc(n), refLoc(n)])],
    ptes: (s) => s.pte.map((p, i) => [`mm${Math.floor(i / SPAN)} pte[${i % SPAN}]`, p] as const),
    locked: (s, f) => s.folios[f].locked !== UNLOCKED,
    freed: (s, f) => s.folios[f].ref === 0,
    walks: (s) => Object.values(s.mig),
  };
}

function properties(view: MigrationEntryView<S>): Property<S>[] {
  return [
    noDanglingMigrationEntry(view),
    migrationEntryLocked,
    removeWalkComplete(view),
    noPteMapsFreedPage(view),
    lockMisuse,
    avcListCorruption,
    assertion(REFCOUNT, 'No put_page on a zero count (VM_BUG_ON_PAGE).'),
    assertion(FOLIO_LOCK, 'No unlock_page of a page the thread has not locked.'),
  ];
}

// ---------------------------------------------------------------- model

const ALL = [NO_DANGLING, MIGRATION_ENTRY_LOCKED, REMOVE_WALK_COMPLETE, NO_PTE_MAPS_FREED];
const broken: Record<string, Verdict> = Object.fromEntries(ALL.map((p) => [p, 'violated']));

export default defineModel<Options>({
  name: 'rmap-vs-vma-adjust',
  title: 'rmap walks vs vma_adjust and exec shift_arg_pages (seed 000, 2010)',
  story:
    "remove_migration_ptes computes each VMA's address from vm_start/vm_pgoff/vm_end while vma_adjust rewrites them with no common lock, and exec moves the stack VMA before its page tables: the walk misses a migration entry, the page is unlocked and freed, and the next fault BUGs in migration_entry_to_page.",
  params: {
    mprotect: {
      default: 1,
      min: 0,
      max: 2,
      doc: "The child's mprotect: 0 none, 1 vma_merge shifting the C1/C2 boundary (adjust_next), 2 split_vma new_below.",
    },
    exec: {
      default: 1,
      min: 0,
      max: 1,
      doc: '1: an exec moves its temporary stack (shift_arg_pages) while page Q0 of it is migrated.',
    },
    forks: {
      default: 1,
      min: 1,
      max: 4,
      doc: 'Children of the fork tree mapping page P (each a VMA on the anon_vma list and a PTE).',
    },
    stack: { default: 1, min: 1, max: 4, doc: "Pages (PTEs) in exec's temporary stack; move_ptes moves each." },
    noanon: {
      default: 0,
      min: 0,
      max: 1,
      doc: "1: C1 has no anon_vma, and mprotect=1 is vma_merge's case 4 instead of 5 (C2, with the page, grows down).",
    },
    order: {
      default: 0,
      min: 0,
      max: LOAD_ORDERS.length - 1,
      doc: `vma_address's load order: ${LOAD_ORDERS.map((x, i) => `${i} ${x.join('/')}`).join(', ')}.`,
    },
    reload: {
      default: 0,
      min: 0,
      max: 1,
      doc: "1: vma_address loads vm_start again for the range check (the compiler's choice).",
    },
  },
  costs: [
    { name: 'migration of P', thread: 'migrator', params: { mprotect: 1, exec: 0 } },
    { name: 'mprotect (vma_adjust)', thread: 'mprotect', params: { mprotect: 1, exec: 0 } },
    { name: 'exec (shift_arg_pages)', thread: 'exec', params: { mprotect: 0, exec: 1 } },
  ],
  options: { adjust: 'none', skipTempStack: false },
  variants: {
    'v2.6.34-rc': {
      doc: '2.6.34-rc: vma_adjust takes no anon_vma lock; the walks trust vma_address.',
      options: {},
      expect: broken,
    },
    'vma-anon-vma-lock': {
      doc: 'vma_adjust takes vma->anon_vma->lock: not the lock the walker of a forked page holds.',
      options: { adjust: 'vma-anon-vma' },
      expect: broken,
    },
    'vma-seqcount': {
      doc: "KAMEZAWA's per-VMA seqcount and vma_address_safe.",
      options: { adjust: 'vma-seqcount' },
      expect: broken,
    },
    'mel-lock-seq': {
      doc: "The seed's patch: vma->anon_vma lock plus mm->span_seqcounter, checked when the anon_vmas differ.",
      options: { adjust: 'mel' },
      expect: broken,
    },
    'root-lock': {
      doc: '012f18004da3 (merged): vma_adjust and the walks take the root anon_vma lock.',
      options: { adjust: 'root' },
      expect: broken,
    },
    'no-temp-stack': {
      doc: 'a8bef8ff6ea1 (merged): migration skips VM_STACK_INCOMPLETE_SETUP stacks.',
      options: { skipTempStack: true },
      expect: broken,
    },
    merged: {
      doc: '2.6.35: the root anon_vma lock and the temporary-stack skip.',
      options: { adjust: 'root', skipTempStack: true },
      expect: {},
    },
    'next-anon-vma-lock': {
      doc: "merged plus Michel Lespinasse's Sep 2012 fix: vma_adjust locks next->anon_vma when vma has none (case 4).",
      options: { adjust: 'root-next', skipTempStack: true },
      expect: {},
    },
  },
  build: (o, p) => {
    if (p.noanon && p.mprotect === 2)
      throw new ModelError(
        'rmap-vs-vma-adjust: --param noanon=1 is a vma_merge shape: it needs --param mprotect=1, not 2',
      );
    const lay = layout(p);
    const view = viewOf(lay);
    const threads: Program<S>['threads'][number][] = [
      thread<S, ML>(
        'migrator',
        { pg: 0, cur: null, snap: {}, addr: EFAULT, seq: 0, dst: '', start2: NO_RELOAD },
        annotated(migratorSteps({ ...o, loadOrder: p.order, reload: p.reload === 1 }, lay, lay.init), MIGRATOR_CALLS),
      ),
    ];
    if (p.mprotect > 0)
      threads.push(thread<S, AL>('mprotect', { f: '' }, mprotectSteps(o, p.noanon ? 4 : p.mprotect, lay.init, view)));
    if (p.exec) threads.push(thread<S, AL>('exec', { f: '' }, execSteps(o, lay, p.stack, view)));
    return { init: lay.init, threads, properties: properties(view), show: SHOW };
  },
});

// ---------------------------------------------------------------- report annotations (issue 14)
// State names for the reports only: no step's behaviour depends on them.

const SHOW: ShowRule[] = [
  ...folioShow(),
  ...anonVmaShow(),
  { path: 'ptl[*]', name: 'PTL(mm $1)', as: 'owner' },
  { path: 'mig.*.*', name: 'migration walk of $1: $2', as: 'bookkeeping' },
];

/** 2.6.34: migrate_pages → unmap_and_move → try_to_unmap / move_to_new_page / remove_migration_ptes. */
const MIGRATOR_CALLS: Callers = {
  migrate_pages: '',
  unmap_and_move: 'migrate_pages',
  try_to_unmap: 'unmap_and_move',
  try_to_unmap_anon: 'try_to_unmap',
  try_to_unmap_one: 'try_to_unmap_anon',
  move_to_new_page: 'unmap_and_move',
  migrate_page: 'move_to_new_page',
  migrate_page_move_mapping: 'migrate_page',
  remove_migration_ptes: 'unmap_and_move',
  rmap_walk: 'remove_migration_ptes',
  rmap_walk_anon: 'rmap_walk',
  remove_migration_pte: 'rmap_walk_anon',
};
