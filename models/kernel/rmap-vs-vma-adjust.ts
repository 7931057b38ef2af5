/**
 * rmap walks vs vma_adjust and exec's shift_arg_pages (seed 000: 2.6.34-rc, April–May 2010); story, threads, traces
 * and verdicts: docs/models/rmap-vs-vma-adjust.md. Follows mm/rmap.c @ v2.6.34-rc patch mails; mm/migrate.c,
 * mm/mprotect.c @ v2.6.34; mm/mmap.c @ v2.6.34, v2.6.35 (012f18004da3), v3.6 (Michel Lespinasse's case-4 fix);
 * fs/exec.c, mm/mremap.c @ v2.6.35 (a8bef8ff6ea1); SOURCES: each function's file. Migration walks the page's
 * anon_vma twice: try_to_unmap installs migration entries, remove_migration_ptes must find each again before
 * unlock_page. vma_address() uses plain loads of vm_pgoff/vm_start/vm_end while vma_adjust rewrites them under no
 * lock the walker holds (mprotect's vma_merge, split_vma), and exec moves its stack VMA before its page tables: an
 * entry is missed, the page freed, the next fault BUGs in migration_entry_to_page. Variants: VARIANTS, one a line.
 */
import { callPaths, type Callers } from '../../src/core/annotations.js';
import { ModelError } from '../../src/core/errors.js';
import type { Verdict } from '../../src/core/model.js';
import { folioShow } from '../../src/kernel/folio.js';
import { PTL_CLASS } from '../../src/kernel/mremap.js';
import { PTE_NONE, migrationEntry as mig, present } from '../../src/kernel/pte.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import * as L from '../../src/lang/index.js';
import { goto_, int, label, oneOf, step, when, type Block, type Ctx } from '../../src/lang/index.js';
import * as av from '../../src/lang/kernel/anon-vma.js';
import * as fo from '../../src/lang/kernel/folio.js';
import * as mw from '../../src/lang/kernel/migration-walk.js';
import * as vm from '../../src/lang/kernel/vma.js';
import { sourcesByFile } from '../../src/lang/sources.js';

type Adjust = 'none' | 'vma-anon-vma' | 'vma-seqcount' | 'mel' | 'root' | 'root-next';
/** adjust: what vma_adjust takes around its stores, and how rmap_walk_anon checks; skip: a8bef8ff's skip. */
type Options = { readonly adjust: Adjust; readonly skip: boolean };
const [SPAN, PAGE_INDEX, SHIFT] = [8, 3, 4]; // PTEs per mm (pte[mm * SPAN + address]); P's index; exec's shift
const LOCK = { cost: 'lock' } as const;
const opt = <T>(cond: unknown, ...xs: T[]): T[] => (cond ? xs : []);
const jump = <T>(t: string, b: L.Body<T>, to: string) => when<T>(t, b, [goto_(to)], []);
const inc = <T>(c: Ctx<T>, r: L.Ref<number>) => c.set(r, c.get(r) + 1);
const table = (text: string) => text.split('\n').flatMap((line) => (line.trim() ? [line.trim().split(/ +/)] : []));
const LABEL = {
  safe: 'vma_address_safe: read_seqcount_retry(&vma->updating)? → retry; -EFAULT → next avc',
  mel: 'rmap_walk_anon: anon_vma != vma->anon_vma && read_seqcount_retry? → restart; -EFAULT → next avc',
  seqMel: 'rmap_walk_anon: read_seqcount_begin(&mm->span_seqcounter)',
  seqVma: 'vma_address_safe: read_seqcount_begin(&vma->updating)',
  restart: 'rmap_walk_anon: spin_unlock(anon_vma->lock); goto retry',
  temp: 'try_to_unmap_anon: is_vma_temporary_stack(vma)? → skip',
};

/** The pages migration may move (P of the fork tree, Q0 of exec's stack): page->index, anon_vma, new page. */
const toMigrate = (name: string, index: number, av: string, dst: string) => ({ name, index, av, dst });
const PAGES = [toMigrate('P', PAGE_INDEX, 'AV0', 'P2'), toMigrate('Q0', 0, 'AVS', 'Q0n')];

/** The fork tree (parent A, first child C1/C2, children D2..), exec's stack S, the migrator's pages, the layout. */
function world(p: Readonly<Record<string, number>>) {
  const [split, ex, kids] = [p.mprotect === 2, p.forks + 1, Array.from({ length: p.forks - 1 }, (_, i) => i + 2)];
  // name start end pgoff anon_vma mm flags. C1/C2: [0,3) and [3,6), C2 split off after the fork (AV0's tail); noanon:
  // C1 never faulted (no anon_vma, on no list); mprotect=2: C1 [0,6) and C2 the lower part split_vma will link.
  const vmas = table(`A 0 6 0 AV0 0
    C1 0 ${split ? 6 : 3} 0 ${p.noanon ? '-' : 'AV1'} 1
    C2 ${split ? '0 2 0' : '3 6 3'} AV1 1
    ${kids.map((k) => `D${k} 0 6 0 AV${k} ${k}`).join('\n')}
    ${p.exec ? `S ${SHIFT} ${SHIFT + p.stack} 0 AVS ${ex} ${vm.VMA_STACK_INCOMPLETE_SETUP}` : ''}`);
  const c1 = opt(!p.noanon, 'C1');
  const list = ['A', ...c1, ...kids.map((k) => `D${k}`), ...opt(!split, 'C2')];
  const heads: Record<string, string[][]> = { AV0: split ? [list, [...list, 'C2']] : [list], AV1: [[...c1, 'C2']] };
  for (const k of ['S', ...kids]) heads[`AV${k}`] = [[k === 'S' ? k : `D${k}`]];
  const P = p.mprotect || !p.exec; // P is migrated (else only exec's Q0)
  const pages = PAGES.filter((_, i) => (i ? p.exec : P));
  const folios: Record<string, object> = { P: { ref: p.forks + (P ? 2 : 1), mapcount: p.forks + 1 } };
  const pte = [...Array((ex + 1) * SPAN)].map((_, i): string => (i < ex * SPAN && i % SPAN === PAGE_INDEX ? 'P' : ''));
  for (let i = 0; p.exec && i < p.stack; i++)
    [pte[ex * SPAN + SHIFT + i], folios[`Q${i}`]] = [`Q${i}`, { ref: i ? 1 : 2, mapcount: 1 }];
  for (const g of pages) folios[g.dst] = { ref: 1, locked: 0 };
  const walked = pages.map((g) => g.name);
  const of = <T>(keys: string[], f: (k: string) => T) => Object.fromEntries(keys.map((k) => [k, f(k)]));
  const spec = ([, s, e, o, a, , f]: string[]) =>
    vm.vmaSpec({ start: +s, end: +e, pgoff: +o, anon: a === '-' ? null : a, flags: +(f ?? 0) }, Object.keys(heads));
  const shared = L.layout({
    vmas: Object.fromEntries(vmas.map((v) => [v[0], spec(v)])),
    anon_vmas: of(Object.keys(heads), (a) => av.anonVmaSpec(heads[a])),
    pte: L.array(pte.length, oneOf([PTE_NONE, ...Object.keys(folios).flatMap((n) => [present(n), mig(n)])])),
    ptl: L.array(ex + 1, L.tid()), // one PTL per mm (one page-table page each)
    folios: of(Object.keys(folios), () => ({ ...fo.folioSpec([]), mapcount: int(0, 8) })),
    seq: of([...vmas.map((v) => v[0]), ...[...Array(ex + 1).keys()].map((m) => `mm${m}`)], () => int(0, 8)),
    mig: of(walked, (n) => mw.migrationWalkSpec(n)),
  });
  const init = shared.state({ pte: pte.map((n) => (n ? present(n) : PTE_NONE)), folios });
  const mmOf = Object.fromEntries(vmas.map((v) => [v[0], +v[5]]));
  const anonOf = Object.fromEntries(vmas.map((v) => [v[0], v[4] === '-' ? null : v[4]]));
  const at = (mm: number, a: number) => shared.refs.pte.at(mm * SPAN + a);
  return { p, r: shared.refs, shared, init, mmOf, anonOf, pages, ex, at };
}
type W = ReturnType<typeof world>;
const rootOf = (a: string) => (a === 'AVS' ? a : 'AV0'); // anon_vma->root (2.6.35)

/** MigrateLocals; cur: the VMA of the avc the walk stands on (null: the head); vma_address's loads; the seqcount read. */
type ML = { pg: number; cur: string | null; snap: vm.VmaSnap; addr: number; seq: number; dst: string };
const AVC_LOCALS: Partial<ML> = { snap: {}, addr: vm.EFAULT, seq: 0 }; // one object: both walks reset the same

function migrator(o: Options, w: W): Block<ML> {
  const { folios, anon_vmas, vmas, seq, mig: walks, ptl } = w.r;
  const [root, checked] = [o.adjust.startsWith('root'), o.adjust === 'vma-seqcount' || o.adjust === 'mel'];
  const pg = (c: Ctx<ML>) => w.pages[c.l.pg];
  const page = (c: Ctx<ML>) => folios[pg(c).name];
  const anon = (c: Ctx<ML>) => anon_vmas[root ? rootOf(pg(c).av) : pg(c).av];
  const vma = (c: Ctx<ML>) => vmas[c.l.cur!];
  const mm = (c: Ctx<ML>) => w.mmOf[c.l.cur!];
  const at = (c: Ctx<ML>) => ({ pte: w.at(mm(c), c.l.addr), ptl: ptl.at(mm(c)) });
  const sq = (c: Ctx<ML>) => seq[o.adjust === 'vma-seqcount' ? c.l.cur! : `mm${mm(c)}`];
  const lock = `(&anon_vma->${root ? 'root->' : ''}lock)`;
  const advance = (c: Ctx<ML>) => (c.let({ cur: av.avcWalkNext(c, anon(c), c.l.cur), snap: {} }), !c.l.cur);
  /** list_for_each_entry over the avcs; vma_address's loads, the seqcount, the address are dead outside an avc. */
  const each = (fn: string, next: string, done: string, body: Block<ML>) =>
    av.avcLoop(fn, next, done, advance, [L.scope<ML>(AVC_LOCALS, body)]);
  const loads = (fn: string, efault: string | null) =>
    vm.vmaAddressLoads<ML>({ fn, efault, order: w.p.order, reload: !!w.p.reload, vma, index: (c) => pg(c).index });
  const tally = (c: Ctx<ML>, n: 'installed' | 'removed', did: boolean) => did && inc(c, walks[pg(c).name][n]);
  const begin = (c: Ctx<ML>) => c.let({ seq: (c.await(c.get(sq(c)) % 2 === 0), c.get(sq(c))) });
  const restart = step<ML>(LABEL.restart, (c) => (av.anonVmaUnlock(c, anon(c)), c.let({ cur: null, snap: {} })));
  const temp = jump<ML>(LABEL.temp, (c) => vm.isVmaTemporaryStack(c, vma(c)), 'u_next');
  const unmap = (c: Ctx<ML>) => tally(c, 'installed', mw.unmapToMigrationEntry(c, at(c), pg(c).name, page(c)));
  const remove = (c: Ctx<ML>) =>
    tally(c, 'removed', mw.removeMigrationPte(c, at(c), pg(c).name, c.l.dst, folios[c.l.dst]));
  const safe = jump<ML>(LABEL.safe, (c) => c.get(sq(c)) !== c.l.seq && (c.let({ snap: {} }), true), 'r_seq');
  const moved = (c: Ctx<ML>) => c.get(vma(c).anon) !== pg(c).av && c.get(sq(c)) !== c.l.seq;
  const efault = L.if_<ML>((l) => l.addr === vm.EFAULT, [goto_('r_next')]);
  const done = (c: Ctx<ML>) => (av.anonVmaUnlock(c, anon(c)), c.set(walks[pg(c).name].finished, true));
  // try_to_unmap(page, TTU_MIGRATION) → try_to_unmap_anon
  const unmapWalk: Block<ML> = [
    step(`try_to_unmap_anon: page_lock_anon_vma${root ? ' (the root)' : ''}`, (c) => av.anonVmaLock(c, anon(c)), LOCK),
    ...each('try_to_unmap_anon', 'u_next', 'u_done', [
      ...opt(o.skip, temp),
      ...loads('try_to_unmap_anon', 'u_next'),
      step(mw.TRY_TO_UNMAP_ONE, unmap, LOCK),
    ]),
    step('try_to_unmap_anon: page_unlock_anon_vma', (c) => av.anonVmaUnlock(c, anon(c))),
  ];
  // remove_migration_ptes(page, dst) → rmap_walk_anon
  const removeWalk: Block<ML> = [
    step(`rmap_walk_anon: spin_lock${lock}`, (c) => av.anonVmaLock(c, anon(c)), LOCK),
    ...each('rmap_walk_anon', 'r_next', 'r_done', [
      ...opt(checked, label<ML>('r_seq'), step<ML>(o.adjust === 'mel' ? LABEL.seqMel : LABEL.seqVma, begin)),
      ...loads('rmap_walk_anon', checked ? null : 'r_next'),
      ...opt(o.adjust === 'vma-seqcount', safe),
      ...opt(o.adjust === 'mel', when<ML>(LABEL.mel, moved, [restart, goto_(mw.REMOVE_WALK)])),
      ...opt(checked, efault),
      mw.removeMigrationPtePeek<ML>((c) => at(c).pte, 'r_next'),
      step(mw.REMOVE_MIGRATION_PTE, remove, LOCK),
    ]),
    step(`rmap_walk_anon: spin_unlock${lock}`, done),
  ];
  return mw.migratePages(w.pages, folios, unmapWalk, removeWalk);
}

type AL = { readonly f: string }; // migration_entry_wait: the page whose entry the fault found
/** vma_adjust(): the variant's lock and seqcounts around its stores (one string per VMA); `endOnly`: only vm_end moves. */
function vmaAdjust(o: Options, w: W, mm: number, groups: readonly string[], endOnly = false): Block<AL> {
  const vmaOf = (g: string) => g.split('->')[0].trim();
  const [own, next] = [w.anonOf[vmaOf(groups[0])], groups[1] ? w.anonOf[vmaOf(groups[1])] : null];
  // Michel Lespinasse, Sep 2012: `anon_vma = vma->anon_vma; if (!anon_vma && adjust_next) anon_vma = next->anon_vma;`
  const [a, root] = [o.adjust === 'root-next' ? (own ?? next) : own, o.adjust.startsWith('root')];
  // 012f18004da3 locks `if (vma->anon_vma && (insert || importer || start != vma->vm_start))`; the others if (anon_vma).
  const locks = a !== null && !['none', 'vma-seqcount'].includes(o.adjust) && !(o.adjust === 'root' && endOnly);
  const lock = w.r.anon_vmas[a && root ? rootOf(a) : a!];
  const name = `(&${root ? 'anon_vma->root' : own ? 'vma->anon_vma' : 'next->anon_vma'}->lock)`;
  const bump = (k: string, x: string) => step<AL>(`vma_adjust: write_seqcount_${x}`, (c) => inc(c, w.r.seq[k]));
  const mel = (x: string) => opt(o.adjust === 'mel' && locks, bump(`mm${mm}`, `${x}(&mm->span_seqcounter)`));
  const per = (v: string, x: string) => opt(o.adjust === 'vma-seqcount', bump(v, `${x}(&${v}->updating)`));
  const stores = (g: string) => vm.vmaStoreSteps<AL>('vma_adjust', w.r.vmas, g);
  const take = step<AL>(`vma_adjust: spin_lock${name}`, (c) => av.anonVmaLock(c, lock), LOCK);
  const drop = step<AL>(`vma_adjust: spin_unlock${name}`, (c) => av.anonVmaUnlock(c, lock));
  return [
    ...opt(locks, take),
    ...mel('begin'),
    ...groups.flatMap((g) => [...per(vmaOf(g), 'begin'), ...stores(g), ...per(vmaOf(g), 'end')]),
    ...mel('end'),
    ...opt(locks, drop),
  ];
}

/** The user touches the page: handle_pte_fault → do_swap_page → migration_entry_wait, until it is mapped. */
const fault = (w: W, mm: number, a: number) =>
  mw.migrationEntryWait<AL>({ pte: w.at(mm, a), ptl: w.r.ptl.at(mm) }, w.r.folios);

/** mprotect: split_vma new_below (anon_vma_clone links C2, then C1 moves up), or vma_merge: case 5 (C1 grows over
 * [3,4) of C2, adjust_next = 1) or, noanon, case 4 (C1 shrinks to [0,2), C2 with the page grows down: -1). */
function mprotect(o: Options, w: W): Block<AL> {
  const [AV0, [by, end]] = [w.r.anon_vmas.AV0, w.p.noanon ? ['-= 1', 2] : ['+= 1', 4]];
  const merge = [`C1->vm_start = 0; C1->vm_end = ${end}; C1->vm_pgoff = 0`, `C2->vm_start ${by}; C2->vm_pgoff ${by}`];
  const split: Block<AL> = [
    step('anon_vma_clone: spin_lock(&anon_vma->lock)', (c) => av.anonVmaLock(c, AV0), LOCK),
    step('anon_vma_chain_link: list_add_tail(C2)', (c) => av.avcAddTail(c, AV0, 'C2')),
    step('anon_vma_clone: spin_unlock', (c) => av.anonVmaUnlock(c, AV0)),
    ...vmaAdjust(o, w, 1, ['C1->vm_start = 2; C1->vm_end = 6; C1->vm_pgoff = 2']),
  ];
  return [...(w.p.mprotect === 2 ? split : vmaAdjust(o, w, 1, merge)), ...fault(w, 1, PAGE_INDEX)];
}

/** exec: shift_arg_pages (vma_adjust down, move_ptes, vma_adjust of vm_end), setup_arg_pages, create_elf_tables. */
function exec(o: Options, w: W): Block<AL> {
  const [mm, n, S, ptl] = [w.ex, w.p.stack, w.r.vmas.S, w.r.ptl.at(w.ex)];
  const adjust = (end: number, endOnly?: boolean) =>
    vmaAdjust(o, w, mm, [`S->vm_start = 0; S->vm_end = ${end}; S->vm_pgoff = 0`], endOnly);
  const move = (k: number) =>
    step<AL>(`move_ptes: pte = ptep_clear_flush(old ${SHIFT + k}); set_pte_at(new ${k}, pte)`, (c) => {
      const old = c.get(w.at(mm, SHIFT + k));
      if (old.kind === 'none') return;
      c.set(w.at(mm, SHIFT + k), PTE_NONE);
      c.set(w.at(mm, k), old);
    });
  const clear = (c: Ctx<AL>) => vm.vmaStore(c, S, 'flags', vm.vmaLoad(c, S, 'flags') & ~vm.VMA_STACK_INCOMPLETE_SETUP);
  return [
    ...adjust(SHIFT + n),
    step('move_ptes: spin_lock(old PTL); new PTL is the same', (c) => L.spinLock(c, ptl, PTL_CLASS), LOCK),
    ...Array.from({ length: n }, (_, k) => move(k)),
    step('move_ptes: spin_unlock(PTL)', (c) => L.spinUnlock(c, ptl, PTL_CLASS)),
    ...adjust(n, true), // vma_adjust(vma, new_start, new_end, vma->vm_pgoff, NULL): vm_start is new_start already
    ...opt(o.skip, step<AL>('setup_arg_pages: vm_flags &= ~VM_STACK_INCOMPLETE_SETUP', clear)),
    ...fault(w, mm, 0),
  ];
}

const broken: Record<string, Verdict> = Object.fromEntries(mw.MIGRATION_ENTRY_PROPERTIES.map((p) => [p, 'violated']));
const NOANON_SPLIT = 'rmap-vs-vma-adjust: --param noanon=1 is a vma_merge shape: it needs --param mprotect=1, not 2';
const variant = ([adjust, skip, v, ...doc]: string[]) => ({
  doc: doc.join(' '),
  options: { adjust: adjust as Adjust, skip: skip === 'y' },
  expect: v === 'holds' ? {} : broken,
});
// name, default, min, max, doc
const PARAMS = table(`
  mprotect 1 0 2 The child's mprotect: 0 none, 1 vma_merge shifting the C1/C2 boundary (adjust_next), 2 split_vma new_below.
  exec 1 0 1 1: an exec moves its temporary stack (shift_arg_pages) while page Q0 of it is migrated.
  forks 1 1 4 Children of the fork tree mapping page P (each a VMA on the anon_vma list and a PTE).
  stack 1 1 4 Pages (PTEs) in exec's temporary stack; move_ptes moves each.
  noanon 0 0 1 1: C1 has no anon_vma, and mprotect=1 is vma_merge's case 4 instead of 5 (C2, with the page, grows down).
  order 0 0 5 vma_address's load order: ${vm.LOAD_ORDERS.map((x, i) => `${i} ${x.join('/')}`).join(', ')}.
  reload 0 0 1 1: vma_address loads vm_start again for the range check (the compiler's choice).`);
// name, what vma_adjust takes (Adjust), skip temporary stacks (a8bef8ff), verdict at the default parameters, doc
const VARIANTS = table(`
  v2.6.34-rc none - broken 2.6.34-rc: vma_adjust takes no anon_vma lock; the walks trust vma_address.
  vma-anon-vma-lock vma-anon-vma - broken vma_adjust takes vma->anon_vma->lock: not the lock the walker of a forked page holds.
  vma-seqcount vma-seqcount - broken KAMEZAWA's per-VMA seqcount and vma_address_safe.
  mel-lock-seq mel - broken The seed's patch: vma->anon_vma lock plus mm->span_seqcounter, checked when the anon_vmas differ.
  root-lock root - broken 012f18004da3 (merged): vma_adjust and the walks take the root anon_vma lock.
  no-temp-stack none y broken a8bef8ff6ea1 (merged): migration skips VM_STACK_INCOMPLETE_SETUP stacks.
  merged root y holds 2.6.35: the root anon_vma lock and the temporary-stack skip.
  next-anon-vma-lock root-next y holds merged plus Michel Lespinasse's Sep 2012 fix: vma_adjust locks next->anon_vma when vma has none (case 4).`);
const SOURCES = sourcesByFile(`
  mm/rmap.c @ v2.6.34: anon_vma_clone anon_vma_chain_link
  mm/rmap.c @ v2.6.34-rc + KAMEZAWA's patch (April 2010): vma_address_safe
  mm/mmap.c @ v2.6.34, v2.6.35, v3.6: vma_adjust vma_merge split_vma
  mm/mprotect.c @ v2.6.34: mprotect_fixup
  fs/binfmt_elf.c @ v2.6.35: load_elf_binary create_elf_tables
  fs/exec.c @ v2.6.35: setup_arg_pages shift_arg_pages
  mm/mremap.c @ v2.6.35: move_page_tables move_ptes`);
/** Who calls whom (report only), as call paths outermost first. */
const CALLS = (mprotect: number): Record<string, Callers> => ({
  migrator: callPaths(mw.MIGRATE_PAGES_PATHS),
  mprotect: callPaths(`mprotect_fixup ${mprotect === 2 ? 'split_vma' : 'vma_merge'} vma_adjust
    split_vma anon_vma_clone anon_vma_chain_link
    ${mw.FAULT_PATH}`),
  exec: callPaths(`load_elf_binary setup_arg_pages shift_arg_pages vma_adjust
    shift_arg_pages move_page_tables move_ptes
    load_elf_binary create_elf_tables ${mw.FAULT_PATH}`),
});

export default L.defineModel<Options>({
  name: 'rmap-vs-vma-adjust',
  title: 'rmap walks vs vma_adjust and exec shift_arg_pages (seed 000, 2010)',
  story:
    "remove_migration_ptes computes each VMA's address from vm_start/vm_pgoff/vm_end while vma_adjust rewrites them with no common lock, and exec moves the stack VMA before its page tables: the walk misses a migration entry, the page is unlocked and freed, and the next fault BUGs in migration_entry_to_page.",
  params: Object.fromEntries(
    PARAMS.map(([n, d, a, b, ...doc]) => [n, { default: +d, min: +a, max: +b, doc: doc.join(' ') }]),
  ),
  costs: [
    { name: 'migration of P', thread: 'migrator', params: { mprotect: 1, exec: 0 } },
    { name: 'mprotect (vma_adjust)', thread: 'mprotect', params: { mprotect: 1, exec: 0 } },
    { name: 'exec (shift_arg_pages)', thread: 'exec', params: { mprotect: 0, exec: 1 } },
  ],
  options: { adjust: 'none', skip: false },
  variants: Object.fromEntries(VARIANTS.map(([n, ...v]) => [n, variant(v)])),
  build: (o, p) => {
    if (p.noanon && p.mprotect === 2) throw new ModelError(NOANON_SPLIT);
    const w = world(p);
    return {
      layout: w.shared,
      init: w.init,
      threads: [
        L.thread<ML>('migrator', { pg: 0, cur: null, snap: {}, addr: vm.EFAULT, seq: 0, dst: '' }, migrator(o, w)),
        ...opt(p.mprotect, L.thread<AL>('mprotect', { f: '' }, mprotect(o, w))),
        ...(p.exec ? [L.thread<AL>('exec', { f: '' }, exec(o, w))] : []),
      ],
      properties: [
        ...[...mw.migrationEntryProperties(Object.keys(w.r.folios), SPAN), lockMisuse, av.avcListCorruption],
        ...mw.MIGRATION_ASSERTIONS,
      ],
      observes: {}, // the properties read the shared state only
      show: [...folioShow(), ...av.anonVmaShow(), ...mw.MIGRATION_WALK_SHOW],
      annotate: (t) => ({ calls: CALLS(p.mprotect)[t] }),
    };
  },
  sources: { ...mw.MIGRATION_WALK_SOURCES, ...SOURCES },
});
