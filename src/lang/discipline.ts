import type { LockOp } from '../core/step.js';
import type { Ref } from './layout.js';

/**
 * The lock discipline a layout declares (`guardedBy`, `spinlock()`), checked on every access a
 * step body makes (src/lang/context.ts):
 *  - a field guarded by a lock is read or written only by a thread that holds the lock (the
 *    lock field holds its thread id, as it is in the step so far);
 *  - a declared lock's own field is touched only by spin_lock and spin_unlock (a lock operation
 *    on it recorded first in the same step): no spin_trylock, no plain read. A failed trylock or
 *    a `spin_is_locked` observes the holder, which would make an acquisition no right mover
 *    (docs/lang-reductions.md, merging of locked sections).
 * A step breaking it is a model error (`lock-discipline`), naming the step (src/lang/compile.ts).
 */
export class LockDisciplineError extends Error {
  constructor(
    readonly field: string,
    readonly lock: string,
    readonly what: 'guarded' | 'lock-word',
  ) {
    super(
      what === 'guarded'
        ? `accesses ${field} without holding ${lock} (the layout declares it guardedBy('${lock}'))`
        : `touches the lock ${lock} other than by spin_lock/spin_unlock (a declared lock: no spin_trylock, no plain read)`,
    );
  }
}

/** Throws when an access to `r` breaks the discipline; `peek` reads a field as the step sees it. */
export function checkDiscipline(r: Ref, tid: number, peek: (r: Ref) => unknown, lockOps: readonly LockOp[]): void {
  if (r.lock) {
    if (peek(r.lock) !== tid) throw new LockDisciplineError(r.name, r.lock.name, 'guarded');
  } else if (r.isLock && !lockOps.some((o) => o.inst === r.loc && !o.trylock))
    throw new LockDisciplineError(r.name, r.name, 'lock-word');
}
