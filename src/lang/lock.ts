import { LOCK_MISUSE, UNLOCKED } from '../kernel/spinlock.js';
import type { Ctx } from './context.js';
import type { Ref } from './layout.js';
import { tid, type TidDomain } from './domain.js';

/**
 * Spinlock (or mutex) operations for step bodies, on a `tid()` field holding the owner or -1.
 * An acquire is an atomic operation on the lock word: it owns the location even while it waits
 * (`touch`), so a waiting acquire races with the holder's release. Releasing a lock the thread
 * does not hold is a `lock-misuse` BUG. Both give lockdep's view to the lock-order analysis.
 */
export function spinLock<L>(c: Ctx<L>, lock: Ref, cls?: string): void {
  c.lockOp({ op: 'acquire', cls: cls ?? lock.loc, inst: lock.loc });
  c.touch(lock);
  c.await(c.get(lock) === UNLOCKED);
  c.set(lock, c.tid);
}

/** spin_trylock: takes the lock and returns true, or returns false without waiting. */
export function spinTrylock<L>(c: Ctx<L>, lock: Ref, cls?: string): boolean {
  c.touch(lock);
  if (c.get(lock) !== UNLOCKED) return false;
  c.lockOp({ op: 'acquire', cls: cls ?? lock.loc, inst: lock.loc, trylock: true });
  c.set(lock, c.tid);
  return true;
}

export function spinUnlock<L>(c: Ctx<L>, lock: Ref, cls?: string): void {
  c.lockOp({ op: 'release', cls: cls ?? lock.loc, inst: lock.loc });
  c.touch(lock);
  if (c.get(lock) !== c.tid) c.bug(LOCK_MISUSE, `spin_unlock(${lock.loc}) by a thread that does not hold it`);
  c.set(lock, UNLOCKED);
}

/**
 * A declared spinlock: a `tid()` field (owner or -1) that only `spinLock` and `spinUnlock` touch
 * (no `spinTrylock`, no plain read: a model error otherwise, src/lang/discipline.ts). Fields it
 * protects are declared with `guardedBy`. Declaring it lets the compiler merge the sections it
 * protects into one step (docs/lang-reductions.md).
 */
export const spinlock = (): TidDomain => ({ ...tid(), lock: true }) as TidDomain;
