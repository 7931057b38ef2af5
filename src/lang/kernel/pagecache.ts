import { callPaths, type Callers } from '../../core/annotations.js';
import type { StepNote } from '../../core/step.js';
import { FOLIO_LOCK } from '../../kernel/folio.js';
import { exit, goto_, label, scope, step, when, type Block } from '../ast.js';
import type { Ctx } from '../context.js';
import { grouped, type Ref } from '../layout.js';
import { oneOf } from '../domain.js';
import { sourcesByFile } from '../sources.js';
import { folioPut, folioRefFreeze, folioRefUnfreeze, folioTryGet, type FolioRefs } from './folio.js';

/**
 * The page cache for step bodies and kernel paths (mm/filemap.c, and the page-cache side of
 * mm/migrate.c), as Linux v5.0 has it (v5.17 for the lookup's later form): the page wait queue
 * of PG_locked as wait_on_page_bit_common and unlock_page drive it before the 5.9 rewrite; the
 * lockless lookup (find_get_entry, filemap_get_read_batch) and a read(2) of a cached page;
 * migrate_page_move_mapping; a page's private data (PG_private) and the reference it may own.
 * Same semantics as src/kernel/folio.ts and src/kernel/pagecache.ts. The queue is the folio's
 * `waiters` (PG_waiters is "non-empty": a stale bit left by finish_wait only costs the kernel an
 * empty wake), at `<folio>.lock` with PG_locked; a page-cache slot is a field holding the cached
 * folio's name or null.
 */

const bit = (t: number) => 1 << t;
const queued = <L>(c: Ctx<L>, f: FolioRefs) => (c.get(f.waiters) & bit(c.tid)) !== 0;

/** q->lock; __add_wait_queue_entry_tail unless already queued; SetPageWaiters; q->unlock. */
export function pageEnqueue<L>(c: Ctx<L>, f: FolioRefs): void {
  c.touch(f.locked);
  if (!queued(c, f)) c.set(f.waiters, c.get(f.waiters) | bit(c.tid));
}

/** test_bit(PG_locked, &page->flags): a plain load of the lock bit. */
export const pageTestLocked = <L>(c: Ctx<L>, f: FolioRefs): boolean => c.get(f.locked) !== -1;

/**
 * io_schedule() after queueing: asleep until a waker has dequeued this task
 * (wake_page_function → autoremove_wake_function). It reads only the queue: after
 * put_and_wait_on_page_locked's put the waiter may not look at the page again.
 */
export function pageSleepUntilWoken<L>(c: Ctx<L>, f: FolioRefs): void {
  c.await(!queued(c, f));
}

/** finish_wait: leave the queue unless a waker already dequeued this task. */
export function pageFinishWait<L>(c: Ctx<L>, f: FolioRefs): void {
  c.touch(f.locked);
  if (queued(c, f)) c.set(f.waiters, c.get(f.waiters) & ~bit(c.tid));
}

/**
 * unlock_page, first half (clear_bit_unlock_is_negative_byte): clear PG_locked and return whether
 * PG_waiters was set; unlocking a page this thread has not locked is a BUG.
 */
export function unlockPageTestWaiters<L>(c: Ctx<L>, f: FolioRefs): boolean {
  c.touch(f.locked);
  if (c.get(f.locked) !== c.tid)
    c.bug(
      FOLIO_LOCK,
      `VM_BUG_ON_PAGE(!PageLocked(page)): unlock_page of ${f.ref.path.at(-2)} not locked by this thread`,
    );
  c.set(f.locked, -1);
  return c.get(f.waiters) !== 0;
}

/**
 * unlock_page, second half: wake_up_page_bit(page, PG_locked) wakes and dequeues every waiter
 * under q->lock and clears PG_waiters. wake_page_function's "stop if it's locked again" is not
 * modelled: run it right after `unlockPageTestWaiters`.
 */
export function wakeUpPageBit<L>(c: Ctx<L>, f: FolioRefs): void {
  c.touch(f.locked);
  if (c.get(f.waiters) !== 0) c.set(f.waiters, 0);
}

/** `caller`'s unlock_page(page) as the kernel runs it: clear PG_locked, then wake the queue if PG_waiters was set. */
export const unlockPage = <L>(caller: string, f: FolioRefs): Block<L> => [
  when(`${caller}: unlock_page(page): clear PG_locked; PG_waiters?`, (c) => unlockPageTestWaiters(c, f), [
    step('unlock_page: wake_up_page_bit(page, PG_locked)', (c) => wakeUpPageBit(c, f)),
  ]),
];

/** The locals of a page-cache lookup: the folio loaded from the slot, and referenced once found. */
export interface LookupLocals {
  readonly f: string | null;
}

/**
 * The lockless lookup of one page-cache slot: xas_load (a hole ends the thread), the speculative
 * get (a zero count, frozen or freed → repeat), xas_reload ("has the page moved?" → put, repeat);
 * the code after the block runs with the reference held. v5.0 find_get_entry
 * (page_cache_get_speculative); v5.17 filemap_get_read_batch (folio_try_get_rcu). `folio` maps a
 * name to its fields; the block owns the labels `repeat` and `moved`.
 */
export function pageCacheLookup<L extends LookupLocals>(
  version: 'v5.0' | 'v5.17',
  slot: Ref<string | null>,
  folio: (name: string) => FolioRefs,
): Block<L> {
  const [fn, get, page, put, again] =
    version === 'v5.0'
      ? ['find_get_entry', 'page_cache_get_speculative', 'page', 'put_page(head)', 'repeat']
      : ['filemap_get_read_batch', 'folio_try_get_rcu', 'folio', 'folio_put', 'retry'];
  const f = (c: Ctx<L>) => folio(c.l.f!);
  const atomic = { cost: 'atomic' } as const;
  return [
    label('repeat'),
    when(
      `${fn}: xas_load`,
      (c) => c.get(slot) !== null && (c.let({ f: c.get(slot) } as Partial<L>), true),
      [],
      [exit()],
    ),
    when(`${fn}: ${get} (count 0 → ${again})`, (c) => folioTryGet(c, f(c)), [], [goto_('repeat')], atomic),
    when(`${fn}: ${page} != xas_reload?`, (c) => c.get(slot) !== c.l.f, [
      label('moved'),
      step(`${fn}: ${put} (moved); ${again}`, (c) => folioPut(c, f(c), true), atomic),
      goto_('repeat'),
    ]),
  ];
}

/**
 * One read(2) of a cached, uptodate page: generic_file_buffered_read (v5.0) or filemap_read
 * (v5.17) looks it up (`pageCacheLookup`), copy_page_to_iter and put_page as one step (nothing
 * else looks at the page's data: the reference is held from the get to the put either way). The
 * folio found is dead once the read is done.
 */
export const bufferedRead = (
  version: 'v5.0' | 'v5.17',
  slot: Ref<string | null>,
  folio: (name: string) => FolioRefs,
): Block<LookupLocals> => [
  scope<LookupLocals>({ f: null }, [
    ...pageCacheLookup<LookupLocals>(version, slot, folio),
    step(
      `${version === 'v5.0' ? 'generic_file_buffered_read' : 'filemap_read'}: copy_page_to_iter; put_page(page)`,
      (c) => folioPut(c, folio(c.l.f!), true),
      { cost: 'atomic' },
    ),
  ]),
];

/**
 * PG_private and the filesystem's private data (page->private), and whether that data owns one of
 * the page's counted references (attach_page_private does; iomap before 8e47a457 did not).
 * `privateRef` changes with the count, so it shares the count's location.
 */
export const pagePrivateSpec = () => ({
  private: oneOf([false, true]),
  privateRef: grouped('ref', oneOf([false, true])),
});
export interface PagePrivateRefs {
  readonly private: Ref<boolean>;
  readonly privateRef: Ref<boolean>;
}

/**
 * A migratepage's move of the private data (iomap_migrate_page @ v5.0): ClearPagePrivate(page),
 * set_page_private(newpage), SetPagePrivate(newpage), and with `ref` get_page(newpage) for the
 * reference the data owns (its put_page(page) is `putPagePrivate`). Nothing if page has none.
 */
export function movePagePrivate<L>(
  c: Ctx<L>,
  page: FolioRefs & PagePrivateRefs,
  newpage: FolioRefs & PagePrivateRefs,
  ref: boolean,
): void {
  if (!c.get(page.private)) return;
  if (ref) c.set(newpage.ref, c.get(newpage.ref) + 1);
  if (ref) c.set(newpage.privateRef, true);
  c.set(newpage.private, true);
  c.set(page.private, false);
}

/** put_page(page) for the reference the moved private data owned, if it owned one. */
export function putPagePrivate<L>(c: Ctx<L>, page: FolioRefs & PagePrivateRefs): void {
  if (!c.get(page.privateRef)) return;
  folioPut(c, page);
  c.set(page.privateRef, false);
}

/** What `migratePageMoveMapping` needs: the slot, the two pages, where -EAGAIN goes, a model's bookkeeping. */
export interface MoveMapping<L> {
  readonly slot: Ref<string | null>;
  readonly page: FolioRefs;
  readonly newpage: FolioRefs;
  /** expected_page_refs(page) (+ extra_count). */
  readonly expected: (c: Ctx<L>) => number;
  /** The label -EAGAIN jumps to. */
  readonly eagain: string;
  /** Run in the step that returns -EAGAIN, the freezing step, the unfreezing step. */
  readonly onEagain?: (c: Ctx<L>) => void;
  readonly onFrozen?: (c: Ctx<L>) => void;
  readonly onUnfrozen?: (c: Ctx<L>) => void;
}

/**
 * migrate_page_move_mapping @ v5.0 (mm/migrate.c) for a page cached in `slot`, under
 * xas_lock_irq (not modelled: nobody else takes it here): page_count != expected_count →
 * -EAGAIN; page_ref_freeze(page, expected_count) → -EAGAIN if it fails; page_ref_add(newpage, 1)
 * and xas_store(newpage), with page->mapping moved (migrate_page_copy folded in); then
 * page_ref_unfreeze(page, expected_count - 1).
 */
export function migratePageMoveMapping<L>(m: MoveMapping<L>): Block<L> {
  const fail = (c: Ctx<L>) => (m.onEagain?.(c), true);
  const name = m.newpage.ref.path.at(-2) as string;
  return [
    when(
      'migrate_page_move_mapping: xas_lock_irq; page_count != expected_count?',
      (c) => c.get(m.page.ref) !== m.expected(c) && fail(c),
      [goto_(m.eagain)],
    ),
    when(
      'migrate_page_move_mapping: page_ref_freeze(page, expected_count)',
      (c) => (folioRefFreeze(c, m.page, m.expected(c)) ? (m.onFrozen?.(c), false) : fail(c)),
      [goto_(m.eagain)],
      [],
      { cost: 'atomic' },
    ),
    step('migrate_page_move_mapping: page_ref_add(newpage, 1); xas_store(newpage)', (c) => {
      c.set(m.slot, name);
      c.set(m.newpage.ref, c.get(m.newpage.ref) + 1);
      c.set(m.newpage.mapping, c.get(m.page.mapping));
      c.set(m.page.mapping, null);
    }),
    step('migrate_page_move_mapping: page_ref_unfreeze(page, expected_count - 1); xas_unlock_irq', (c) => {
      folioRefUnfreeze(c, m.page, m.expected(c) - 1);
      m.onUnfrozen?.(c);
    }),
  ];
}

// ---------------------------------------------------------------- report and traceability
// Where the steps above come from, who calls them, and why a branch went as it did: read by
// reports and the sources check only, never by a search.

/** The source of every function the steps above name. */
export const PAGECACHE_SOURCES = sourcesByFile(`
  mm/migrate.c @ v5.0: migrate_page_move_mapping
  mm/filemap.c @ v5.0: unlock_page wake_up_page_bit generic_file_read_iter generic_file_buffered_read pagecache_get_page find_get_entry
  include/linux/pagemap.h @ v5.0: find_get_page
  mm/filemap.c @ v5.17: filemap_read filemap_get_pages filemap_get_read_batch`);

/** A read(2)'s call chain from the filesystem's read_iter `fs` through generic_file_read_iter to the lookup. */
export const readCalls = (version: 'v5.0' | 'v5.17', fs: string): Callers =>
  callPaths(
    version === 'v5.0'
      ? `${fs} generic_file_read_iter generic_file_buffered_read find_get_page pagecache_get_page find_get_entry`
      : `${fs} generic_file_read_iter filemap_read filemap_get_pages filemap_get_read_batch`,
  );

/** What the lookup found and the unlock saw, by step label. */
export function pageCacheNotes(slot: Ref<string | null>, folio: (name: string) => FolioRefs): Record<string, StepNote> {
  const load: StepNote = (s) => `slot ${slot.path.at(-1)}: ${(slot.get(s) as string | null) ?? 'hole'}`;
  const get: StepNote = (s, l: LookupLocals) =>
    folio(l.f!).ref.get(s) === 0 ? `folio_try_get(${l.f}) fails: count 0 (frozen or freed)` : null;
  const reload: StepNote = (s, l: LookupLocals) => {
    const now = slot.get(s) as string | null;
    return now === l.f ? null : `slot ${slot.path.at(-1)} now holds ${now ?? 'a hole'}, not ${l.f ?? 'a hole'}: moved`;
  };
  const out: Record<string, StepNote> = {};
  for (const [fn, get_, page] of [
    ['find_get_entry', 'page_cache_get_speculative (count 0 → repeat)', 'page'],
    ['filemap_get_read_batch', 'folio_try_get_rcu (count 0 → retry)', 'folio'],
  ])
    Object.assign(out, {
      [`${fn}: xas_load`]: load,
      [`${fn}: ${get_}`]: get,
      [`${fn}: ${page} != xas_reload?`]: reload,
    });
  return out;
}

/** What `caller`'s unlock_page saw of the queue (the first step of `unlockPage`). */
export const unlockPageNotes = (caller: string, f: FolioRefs): Record<string, StepNote> => ({
  [`${caller}: unlock_page(page): clear PG_locked; PG_waiters?`]: (s, _l, _t, names) => {
    const who = names.filter((_n, t) => ((f.waiters.get(s) as number) >> t) & 1);
    return who.length ? `PG_waiters set: ${who.join(', ')} queued` : 'PG_waiters clear: nobody to wake';
  },
});
