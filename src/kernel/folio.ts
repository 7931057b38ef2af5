import { reads, writes, type Access } from '../core/access.js';
import type { ShowRule } from '../core/show.js';
import type { StepNote, StepOutcome, StepSpec } from '../core/step.js';
import { permuteMask, permuteTid } from '../core/symmetry.js';

/**
 * A folio: `_refcount`, `_mapcount`, PG_locked with its waiters, and `mapping`. Folios live in
 * the shared state under `folios[name]`. `held` records which threads hold a transient
 * reference (a bit per thread id), so properties can name who holds what; it changes together
 * with `ref`, under the same location. Misuse the kernel would BUG on is reported under the
 * `refcount` / `folio-lock` assertions with the kernel's wording.
 *
 * Locations: `<name>.ref` (refcount and holders), `<name>.lock` (PG_locked, PG_waiters and the
 * wait queue), `<name>.map` (mapcount), `<name>.mapping`.
 */
export interface Folio {
  readonly ref: number;
  readonly held: number;
  readonly mapcount: number;
  /** Thread id holding PG_locked, or -1. */
  readonly locked: number;
  /** Threads queued on the folio's wait queue (PG_waiters is `waiters !== 0`). */
  readonly waiters: number;
  readonly mapping: string | null;
  /**
   * PG_private (page_has_private): the folio carries filesystem private data. Optional: only
   * models that need it set it (location `<name>.private`).
   */
  readonly private?: boolean;
  /**
   * The private data owns one of the counted references (attach_page_private / iomap's
   * get_page in iomap_page_create after 8e47a457). Changes with `ref`, so it lives at `<name>.ref`.
   */
  readonly privateRef?: boolean;
  /**
   * While the count is frozen at zero by `folioRefFreeze` with a frozen set: the holders the
   * freezer accounted for (e.g. the caller, the page cache, the private data); null once
   * unfrozen. Absent for models that do not track it. Lives at `<name>.ref`.
   */
  readonly frozen?: readonly string[] | null;
}

export interface WithFolios {
  readonly folios: Readonly<Record<string, Folio>>;
}

export type FolioName<L> = string | ((l: L) => string);
const nameOf = <L>(f: FolioName<L>, l: L): string => (typeof f === 'function' ? f(l) : f);

export const REFCOUNT = 'refcount';
export const FOLIO_LOCK = 'folio-lock';

export function folio(init: Partial<Folio> = {}): Folio {
  return { ref: 1, held: 0, mapcount: 0, locked: -1, waiters: 0, mapping: null, ...init };
}

/** A folio with its thread ids renamed (thread t becomes `to[t]`): for a model's symmetry `permute`. */
export function folioRenamed(f: Folio, to: ArrayLike<number>): Folio {
  const held = permuteMask(f.held, to);
  const waiters = permuteMask(f.waiters, to);
  const locked = permuteTid(f.locked, to);
  return held === f.held && waiters === f.waiters && locked === f.locked ? f : { ...f, held, waiters, locked };
}

/** What a folio says about thread `tid` (holds a reference, queued, holds PG_locked): 3 bits, for a symmetry `threadKey`. */
export const folioThreadBits = (f: Folio, tid: number): number =>
  ((f.held >> tid) & 1) | (((f.waiters >> tid) & 1) << 1) | ((f.locked === tid ? 1 : 0) << 2);

export const refLoc = (name: string) => `${name}.ref`;
export const lockLoc = (name: string) => `${name}.lock`;
export const mapLoc = (name: string) => `${name}.map`;
export const privateLoc = (name: string) => `${name}.private`;

export function withFolio<S extends WithFolios>(s: S, name: string, f: Partial<Folio>): S {
  return { ...s, folios: { ...s.folios, [name]: { ...s.folios[name], ...f } } };
}

function rmwStep<S extends WithFolios, L>(
  f: FolioName<L>,
  loc: (n: string) => string,
  run: (fo: Folio, s: S, l: L, tid: number, n: string) => StepOutcome<S, L>,
  guard?: (fo: Folio, tid: number) => boolean,
  extra: (n: string) => Access[] = () => [],
): StepSpec<S, L> {
  return {
    cost: loc === lockLoc ? undefined : 'atomic',
    guard: guard && ((s, l, tid) => guard(s.folios[nameOf(f, l)], tid)),
    footprint: (_s, l) => [...writes(loc(nameOf(f, l))), ...extra(nameOf(f, l))],
    run: (s, l, tid) => {
      const n = nameOf(f, l);
      return run(s.folios[n], s, l, tid, n);
    },
  };
}

const bug = (message: string, property = REFCOUNT) => ({ violation: { property, message } });
const bit = (tid: number) => 1 << tid;

/** folio_get: ref +1. `holder` true records the calling thread as a transient holder. */
export function folioGet<S extends WithFolios, L>(f: FolioName<L>, holder = false): StepSpec<S, L> {
  return rmwStep(f, refLoc, (fo, s, _l, tid, n) =>
    fo.ref === 0
      ? bug(`VM_BUG_ON_FOLIO(folio_ref_count(folio) == 0): folio_get on ${n} with a zero count`)
      : { s: withFolio(s, n, { ref: fo.ref + 1, held: holder ? fo.held | bit(tid) : fo.held }) },
  );
}

/**
 * folio_try_get / folio_try_get_rcu: add one unless the count is zero (frozen or freed); on
 * failure jump to `onFail` (filemap_get_entry's `goto repeat`, which reloads the slot).
 */
export function folioTryGet<S extends WithFolios, L>(f: FolioName<L>, onFail: string): StepSpec<S, L> {
  return noted(
    rmwStep(f, refLoc, (fo, s, _l, tid, n) =>
      fo.ref === 0 ? { goto: onFail } : { s: withFolio(s, n, { ref: fo.ref + 1, held: fo.held | bit(tid) }) },
    ),
    (s, l) =>
      s.folios[nameOf(f, l)].ref === 0 ? `folio_try_get(${nameOf(f, l)}) fails: count 0 (frozen or freed)` : null,
  );
}

/** folio_put: ref -1; a put on zero is `VM_BUG_ON_PAGE(page_ref_count(page) == 0)`. */
export function folioPut<S extends WithFolios, L>(f: FolioName<L>, holder = false): StepSpec<S, L> {
  return rmwStep(f, refLoc, (fo, s, _l, tid, n) =>
    fo.ref === 0
      ? bug(`VM_BUG_ON_PAGE(page_ref_count(page) == 0): folio_put on ${n} with a zero count`)
      : { s: withFolio(s, n, { ref: fo.ref - 1, held: holder ? fo.held & ~bit(tid) : fo.held }) },
  );
}

/**
 * folio_ref_freeze(expected): cmpxchg(expected → 0). Success jumps nowhere; failure to `onFail`.
 * With `frozenSet`, success also records which holders the freezer accounted for (`frozen`), so
 * a property can tell a frozen count from a freed one and name a holder outside the set.
 */
export function folioRefFreeze<S extends WithFolios, L>(
  f: FolioName<L>,
  expected: (s: S, l: L) => number,
  onFail: string,
  frozenSet?: (s: S, l: L) => readonly string[],
): StepSpec<S, L> {
  return noted(
    rmwStep(f, refLoc, (fo, s, l, _tid, n) =>
      fo.ref === expected(s, l)
        ? { s: withFolio(s, n, frozenSet ? { ref: 0, frozen: frozenSet(s, l) } : { ref: 0 }) }
        : { goto: onFail },
    ),
    freezeNote(f, expected),
  );
}

/** folio_ref_unfreeze(count): `VM_BUG_ON_PAGE(page_count(page) != 0)` if not frozen. Clears a recorded frozen set. */
export function folioRefUnfreeze<S extends WithFolios, L>(
  f: FolioName<L>,
  count: number | ((s: S, l: L) => number),
): StepSpec<S, L> {
  return rmwStep(f, refLoc, (fo, s, l, _tid, n) => {
    if (fo.ref !== 0)
      return bug(`VM_BUG_ON_PAGE(page_count(page) != 0): folio_ref_unfreeze on ${n} with count ${fo.ref}`);
    const ref = typeof count === 'function' ? count(s, l) : count;
    return { s: withFolio(s, n, fo.frozen === undefined ? { ref } : { ref, frozen: null }) };
  });
}

/** folio_remove_rmap_pte / folio_add_file_rmap_pte: mapcount -1 / +1. */
export function folioMapcount<S extends WithFolios, L>(f: FolioName<L>, delta: 1 | -1): StepSpec<S, L> {
  return rmwStep(f, mapLoc, (fo, s, _l, _tid, n) =>
    fo.mapcount + delta < 0
      ? bug(`VM_BUG_ON_FOLIO(folio_mapcount(folio) < 0): ${n} mapcount underflow`)
      : { s: withFolio(s, n, { mapcount: fo.mapcount + delta }) },
  );
}

/** folio_trylock: take PG_locked if clear, else jump to `onBusy`. */
export function folioTrylock<S extends WithFolios, L>(f: FolioName<L>, onBusy: string): StepSpec<S, L> {
  return noted(
    lockCost(
      rmwStep(f, lockLoc, (fo, s, _l, tid, n) =>
        fo.locked === -1 ? { s: withFolio(s, n, { locked: tid }) } : { goto: onBusy },
      ),
    ),
    (s, l, _tid, names) => {
      const fo = s.folios[nameOf(f, l)];
      return fo.locked === -1
        ? null
        : `folio_trylock(${nameOf(f, l)}) fails: locked by ${names[fo.locked] ?? fo.locked}`;
    },
  );
}

const lockCost = <S, L>(spec: StepSpec<S, L>): StepSpec<S, L> => ({ ...spec, cost: 'lock' });

/**
 * folio_lock, first half: take PG_locked if it is clear (and skip the sleep), else join the
 * wait queue and set PG_waiters. Pair it with `folioLockSleep` as the next step.
 */
export function folioLockOrQueue<S extends WithFolios, L>(f: FolioName<L>, afterSleep: string): StepSpec<S, L> {
  return noted(
    lockCost(
      rmwStep(f, lockLoc, (fo, s, _l, tid, n) =>
        fo.locked === -1
          ? { s: withFolio(s, n, { locked: tid }), goto: afterSleep }
          : { s: withFolio(s, n, { waiters: fo.waiters | bit(tid) }) },
      ),
    ),
    (s, l, _tid, names) => {
      const fo = s.folios[nameOf(f, l)];
      return fo.locked === -1
        ? null
        : `folio_lock(${nameOf(f, l)}): locked by ${names[fo.locked] ?? fo.locked}, so queue and sleep`;
    },
  );
}

/** folio_lock, second half: asleep until PG_locked clears; woken, it takes the lock (exclusive waiter). */
export function folioLockSleep<S extends WithFolios, L>(f: FolioName<L>): StepSpec<S, L> {
  return rmwStep(
    f,
    lockLoc,
    (fo, s, _l, tid, n) => ({ s: withFolio(s, n, { locked: tid, waiters: fo.waiters & ~bit(tid) }) }),
    (fo) => fo.locked === -1,
  );
}

/** folio_wait_locked for a queued non-exclusive waiter: asleep until PG_locked clears, then dequeue. */
export function folioWaitUnlocked<S extends WithFolios, L>(f: FolioName<L>): StepSpec<S, L> {
  return rmwStep(
    f,
    lockLoc,
    (fo, s, _l, tid, n) => ({ s: withFolio(s, n, { waiters: fo.waiters & ~bit(tid) }) }),
    (fo, tid) => fo.locked === -1 || (fo.waiters & bit(tid)) === 0,
  );
}

/** Queue on the folio's wait queue if it is locked (migration_entry_wait_on_locked under the PTL). */
export function folioQueueIfLocked<S extends WithFolios, L>(f: FolioName<L>): StepSpec<S, L> {
  return noted(
    rmwStep(f, lockLoc, (fo, s, _l, tid, n) =>
      fo.locked === -1 ? {} : { s: withFolio(s, n, { waiters: fo.waiters | bit(tid) }) },
    ),
    (s, l) => (s.folios[nameOf(f, l)].locked === -1 ? `${nameOf(f, l)} is not locked: no wait` : null),
  );
}

/** folio_unlock: clear PG_locked and wake the waiters; unlocking an unlocked folio is a BUG. */
export function folioUnlock<S extends WithFolios, L>(f: FolioName<L>): StepSpec<S, L> {
  return rmwStep(f, lockLoc, (fo, s, _l, tid, n) =>
    fo.locked !== tid
      ? bug(`VM_BUG_ON_FOLIO(!folio_test_locked(folio)): folio_unlock of ${n} not locked by this thread`, FOLIO_LOCK)
      : { s: withFolio(s, n, { locked: -1 }) },
  );
}

/** Read folio->mapping into the thread's locals (a plain load). */
export function folioReadMapping<S extends WithFolios, L>(
  f: FolioName<L>,
  into: (l: L, mapping: string | null) => StepOutcome<S, L>,
): StepSpec<S, L> {
  return {
    footprint: (_s, l) => reads(`${nameOf(f, l)}.mapping`),
    run: (s, l) => into(l, s.folios[nameOf(f, l)].mapping),
    note: (s, l) => `${nameOf(f, l)}->mapping is ${s.folios[nameOf(f, l)].mapping ?? 'NULL'}`,
  };
}

/** Names of the threads recorded as transient reference holders (`held` bits) of a folio. */
export function heldBy(fo: Folio, threadNames: readonly string[]): string[] {
  return threadNames.filter((_n, tid) => (fo.held & bit(tid)) !== 0);
}

// ---------------------------------------------------------------- the page wait queue
//
// wait_on_page_bit_common before the 5.9 rewrite: the waiter queues itself under q->lock and
// sets PG_waiters, then tests the bit and sleeps; unlock_page clears PG_locked and, if
// PG_waiters was set, wake_up_page_bit wakes (and dequeues) the waiters under q->lock. The
// queue stands for PG_waiters (set while non-empty); a stale PG_waiters left by finish_wait
// only costs the kernel a wake that finds nobody, so it is not kept. Everything is at
// `<name>.lock`, with PG_locked.

const isQueued = (fo: Folio, tid: number) => (fo.waiters & bit(tid)) !== 0;

/** q->lock; __add_wait_queue_entry_tail unless already queued; SetPageWaiters; q->unlock. */
export function folioEnqueue<S extends WithFolios, L>(f: FolioName<L>): StepSpec<S, L> {
  return rmwStep(f, lockLoc, (fo, s, _l, tid, n) =>
    isQueued(fo, tid) ? {} : { s: withFolio(s, n, { waiters: fo.waiters | bit(tid) }) },
  );
}

/** test_bit(PG_locked): a plain read of the lock bit, handed to the thread's locals. */
export function folioTestLocked<S extends WithFolios, L>(
  f: FolioName<L>,
  into: (l: L, locked: boolean) => StepOutcome<S, L>,
): StepSpec<S, L> {
  return {
    footprint: (_s, l) => reads(lockLoc(nameOf(f, l))),
    run: (s, l) => into(l, s.folios[nameOf(f, l)].locked !== -1),
    note: (s, l, _tid, names) => {
      const fo = s.folios[nameOf(f, l)];
      return `PG_locked(${nameOf(f, l)}) is ${fo.locked === -1 ? 'clear' : `set (${names[fo.locked] ?? fo.locked})`}`;
    },
  };
}

/**
 * io_schedule() after queueing: asleep until a waker has dequeued this task
 * (wake_page_function → autoremove_wake_function). Touches nothing of the folio when it runs:
 * after put_and_wait_on_page_locked's put the waiter may not look at the page again.
 */
export function folioSleepUntilWoken<S extends WithFolios, L>(f: FolioName<L>): StepSpec<S, L> {
  return {
    guard: (s, l, tid) => !isQueued(s.folios[nameOf(f, l)], tid),
    footprint: (_s, l) => reads(lockLoc(nameOf(f, l))),
    run: () => ({}),
  };
}

/** finish_wait: leave the queue if no waker has already dequeued this task. */
export function folioFinishWait<S extends WithFolios, L>(f: FolioName<L>): StepSpec<S, L> {
  return rmwStep(f, lockLoc, (fo, s, _l, tid, n) =>
    isQueued(fo, tid) ? { s: withFolio(s, n, { waiters: fo.waiters & ~bit(tid) }) } : {},
  );
}

/**
 * unlock_page, first half: clear_bit_unlock_is_negative_byte — clear PG_locked and learn whether
 * PG_waiters was set (handed to `then`); unlocking a folio this thread has not locked is a BUG.
 */
export function folioUnlockTestWaiters<S extends WithFolios, L>(
  f: FolioName<L>,
  then: (l: L, waiters: boolean) => StepOutcome<S, L>,
): StepSpec<S, L> {
  return noted(
    rmwStep(f, lockLoc, (fo, s, l, tid, n) =>
      fo.locked !== tid
        ? bug(`VM_BUG_ON_PAGE(!PageLocked(page)): unlock_page of ${n} not locked by this thread`, FOLIO_LOCK)
        : { ...then(l, fo.waiters !== 0), s: withFolio(s, n, { locked: -1 }) },
    ),
    (s, l, _tid, names) => {
      const w = heldBy({ ...s.folios[nameOf(f, l)], held: s.folios[nameOf(f, l)].waiters }, names);
      return w.length ? `PG_waiters set: ${w.join(', ')} queued` : 'PG_waiters clear: nobody to wake';
    },
  );
}

/**
 * unlock_page, second half: wake_up_page_bit(page, PG_locked) — under q->lock wake and dequeue
 * every waiter, and ClearPageWaiters once the queue is empty. wake_page_function's "stop walking
 * if it's locked" is not modelled: call this right after `folioUnlockTestWaiters`, before the
 * waker could lock the folio again.
 */
export function folioWakeUpBit<S extends WithFolios, L>(f: FolioName<L>): StepSpec<S, L> {
  return rmwStep(f, lockLoc, (fo, s, _l, _tid, n) => (fo.waiters === 0 ? {} : { s: withFolio(s, n, { waiters: 0 }) }));
}

// ---------------------------------------------------------------- report annotations (issue 14)
// Notes (why a step took its branch) and show rules (how reports name a folio's fields). Read
// only by src/report; the searches never call them.

const noted = <S, L>(spec: StepSpec<S, L>, note: StepNote<S, L>): StepSpec<S, L> => ({ ...spec, note });

export function freezeNote<S extends WithFolios, L>(f: FolioName<L>, expected: (s: S, l: L) => number): StepNote<S, L> {
  return (s, l, _tid, names) => {
    const n = nameOf(f, l);
    const fo = s.folios[n];
    const want = expected(s, l);
    if (fo.ref === want) return `folio_ref_freeze(${n}, ${want}) succeeds: count ${want} → 0`;
    const who = heldBy(fo, names);
    return `folio_ref_freeze(${n}, ${want}) fails: count ${fo.ref}${who.length ? ` (${who.join(', ')} hold${who.length === 1 ? 's' : ''} a reference)` : ''}`;
  };
}

/** How reports show the folios under `at` (default `folios`): owners and holders by thread name. */
export function folioShow(at = 'folios'): ShowRule[] {
  return [
    { path: `${at}.*.locked`, name: 'PG_locked($1)', as: 'owner' },
    {
      path: `${at}.*.waiters`,
      as: 'threads',
      add: '$who waits on PG_locked($1)',
      remove: '$who no longer waits on $1',
    },
    {
      path: `${at}.*.held`,
      as: 'threads',
      add: '$who holds a reference on $1',
      remove: '$who drops its reference on $1',
    },
    { path: `${at}.*.ref`, name: 'refcount($1)' },
    { path: `${at}.*.mapcount`, name: 'mapcount($1)' },
    { path: `${at}.*.mapping`, name: '$1->mapping', names: { null: 'NULL' } },
    { path: `${at}.*.frozen`, name: 'refs frozen on $1' },
    { path: `${at}.*.private`, name: 'PagePrivate($1)' },
    { path: `${at}.*.privateRef`, name: 'private data owns a ref on $1' },
  ];
}
