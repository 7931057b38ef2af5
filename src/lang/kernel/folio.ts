import { FOLIO_LOCK, REFCOUNT } from '../../kernel/folio.js';
import type { Ctx } from '../context.js';
import { grouped, type Ref } from '../layout.js';
import { int, mask, oneOf, tid } from '../domain.js';

/**
 * A folio in a layout, and its operations for step bodies (the model language's version of
 * src/kernel/folio.ts, with the same semantics and kernel wording). Fields and locations:
 * `ref` and `held` (which threads hold a transient reference) at `<folio>.ref`; `locked`
 * (PG_locked owner) and `waiters` (the wait queue, PG_waiters) at `<folio>.lock`; `mapcount`;
 * `mapping`. Atomic operations on the count or the lock word `touch` their location: even a
 * failing one owns it.
 */
export function folioSpec<M extends string | null>(mappings: readonly M[], maxRef = 16) {
  return {
    ref: grouped('ref', int(0, maxRef, 1)),
    held: grouped('ref', mask()),
    mapcount: int(0, 4),
    locked: grouped('lock', tid()),
    waiters: grouped('lock', mask()),
    mapping: oneOf<M | null>([null, ...mappings]),
  };
}

export interface FolioRefs {
  readonly ref: Ref<number>;
  readonly held: Ref<number>;
  readonly mapcount: Ref<number>;
  readonly locked: Ref<number>;
  readonly waiters: Ref<number>;
  readonly mapping: Ref<string | null>;
}

const bit = (t: number) => 1 << t;
const nameOf = (f: FolioRefs) => f.ref.path[f.ref.path.length - 2];

/** folio_get: ref + 1 (`holder`: record the caller as a transient holder). */
export function folioGet<L>(c: Ctx<L>, f: FolioRefs, holder = false): void {
  c.touch(f.ref);
  const ref = c.get(f.ref);
  if (ref === 0)
    c.bug(REFCOUNT, `VM_BUG_ON_FOLIO(folio_ref_count(folio) == 0): folio_get on ${nameOf(f)} with a zero count`);
  c.set(f.ref, ref + 1);
  if (holder) c.set(f.held, c.get(f.held) | bit(c.tid));
}

/** folio_try_get(_rcu): add one unless the count is zero (frozen or freed); true on success. */
export function folioTryGet<L>(c: Ctx<L>, f: FolioRefs): boolean {
  c.touch(f.ref);
  const ref = c.get(f.ref);
  if (ref === 0) return false;
  c.set(f.ref, ref + 1);
  c.set(f.held, c.get(f.held) | bit(c.tid));
  return true;
}

/** folio_put: ref - 1; a put on zero is `VM_BUG_ON_PAGE(page_ref_count(page) == 0)`. */
export function folioPut<L>(c: Ctx<L>, f: FolioRefs, holder = false): void {
  c.touch(f.ref);
  const ref = c.get(f.ref);
  if (ref === 0)
    c.bug(REFCOUNT, `VM_BUG_ON_PAGE(page_ref_count(page) == 0): folio_put on ${nameOf(f)} with a zero count`);
  c.set(f.ref, ref - 1);
  if (holder) c.set(f.held, c.get(f.held) & ~bit(c.tid));
}

/** folio_ref_freeze(expected): cmpxchg(expected → 0); true on success. */
export function folioRefFreeze<L>(c: Ctx<L>, f: FolioRefs, expected: number): boolean {
  c.touch(f.ref);
  if (c.get(f.ref) !== expected) return false;
  c.set(f.ref, 0);
  return true;
}

/** folio_ref_unfreeze(count): set a frozen count; `VM_BUG_ON_PAGE(page_count(page) != 0)` if it is not frozen. */
export function folioRefUnfreeze<L>(c: Ctx<L>, f: FolioRefs, count: number): void {
  c.touch(f.ref);
  const ref = c.get(f.ref);
  if (ref !== 0)
    c.bug(REFCOUNT, `VM_BUG_ON_PAGE(page_count(page) != 0): folio_ref_unfreeze on ${nameOf(f)} with count ${ref}`);
  c.set(f.ref, count);
}

/** folio_remove_rmap_pte / folio_add_file_rmap_pte: mapcount - 1 / + 1. */
export function folioMapcount<L>(c: Ctx<L>, f: FolioRefs, delta: 1 | -1): void {
  c.touch(f.mapcount);
  const m = c.get(f.mapcount) + delta;
  if (m < 0) c.bug(REFCOUNT, `VM_BUG_ON_FOLIO(folio_mapcount(folio) < 0): ${nameOf(f)} mapcount underflow`);
  c.set(f.mapcount, m);
}

/** folio_trylock: take PG_locked if clear (true), else fail without waiting (false). */
export function folioTrylock<L>(c: Ctx<L>, f: FolioRefs): boolean {
  c.touch(f.locked);
  if (c.get(f.locked) !== -1) return false;
  c.set(f.locked, c.tid);
  return true;
}

/**
 * folio_lock, first half: take PG_locked if clear (true), else join the wait queue and set
 * PG_waiters (false: sleep next, `folioLockSleep`).
 */
export function folioLockOrQueue<L>(c: Ctx<L>, f: FolioRefs): boolean {
  c.touch(f.locked);
  if (c.get(f.locked) === -1) {
    c.set(f.locked, c.tid);
    return true;
  }
  c.set(f.waiters, c.get(f.waiters) | bit(c.tid));
  return false;
}

/** folio_lock, second half: asleep until PG_locked clears; woken, it takes the lock (exclusive waiter). */
export function folioLockSleep<L>(c: Ctx<L>, f: FolioRefs): void {
  c.touch(f.locked);
  c.await(c.get(f.locked) === -1);
  c.set(f.locked, c.tid);
  c.set(f.waiters, c.get(f.waiters) & ~bit(c.tid));
}

/** folio_wait_locked for a queued non-exclusive waiter: asleep until PG_locked clears, then dequeue. */
export function folioWaitUnlocked<L>(c: Ctx<L>, f: FolioRefs): void {
  c.touch(f.locked);
  const waiters = c.get(f.waiters);
  c.await(c.get(f.locked) === -1 || (waiters & bit(c.tid)) === 0);
  c.set(f.waiters, waiters & ~bit(c.tid));
}

/** Queue on the folio's wait queue if it is locked (migration_entry_wait_on_locked under the PTL). */
export function folioQueueIfLocked<L>(c: Ctx<L>, f: FolioRefs): void {
  c.touch(f.locked);
  if (c.get(f.locked) !== -1) c.set(f.waiters, c.get(f.waiters) | bit(c.tid));
}

/** folio_unlock: clear PG_locked; unlocking a folio this thread has not locked is a BUG. */
export function folioUnlock<L>(c: Ctx<L>, f: FolioRefs): void {
  c.touch(f.locked);
  if (c.get(f.locked) !== c.tid)
    c.bug(
      FOLIO_LOCK,
      `VM_BUG_ON_FOLIO(!folio_test_locked(folio)): folio_unlock of ${nameOf(f)} not locked by this thread`,
    );
  c.set(f.locked, -1);
}

/** What a folio says about thread `t` (holds a reference, queued, holds PG_locked): 3 bits, for a symmetry key. */
export const folioThreadBits = (fo: { held: number; waiters: number; locked: number }, t: number): number =>
  ((fo.held >> t) & 1) | (((fo.waiters >> t) & 1) << 1) | ((fo.locked === t ? 1 : 0) << 2);
