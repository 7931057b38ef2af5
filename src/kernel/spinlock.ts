import { writes } from '../core/access.js';
import { getIn, locOf, setIn } from '../core/path.js';
import type { PathOf } from '../core/ops.js';
import { assertion } from '../core/property.js';
import type { ShowRule } from '../core/show.js';
import type { LockAnnotation, LockOp, StepSpec } from '../core/step.js';

/**
 * A spinlock (or a mutex: the model does not tell them apart): the location holds the owner's
 * thread id, or -1 when free. Acquire blocks while held: waiting is a guard, not a spin loop.
 * Acquire and release both write the lock word, so a pending acquire is dependent on — races
 * with — the holder's acquire and release. Releasing a lock the thread does not hold is a kernel
 * bug, reported under the `lock-misuse` assertion when the model declares it.
 */
export const UNLOCKED = -1;

/** The assertion the lock primitives (spinlock, rwsem) raise on misuse; models that use them declare it. */
export const LOCK_MISUSE = 'lock-misuse';
export const lockMisuse = assertion(
  LOCK_MISUSE,
  'No thread releases a lock (spinlock, mutex, rwsem) it does not hold.',
);

const at = <L>(p: PathOf<L>, l: L, tid: number) => (typeof p === 'function' ? p(l, tid) : p);

/**
 * Lockdep annotation of a lock op. The class defaults to the lock's location (every lock its own
 * class); pass `cls` to put several instances in one class, as lockdep's per-init-site key does.
 */
export function lockOp<L>(
  op: LockOp['op'],
  lock: PathOf<L>,
  cls?: string,
  extra?: Partial<LockOp>,
): LockAnnotation<any, L> {
  return (_s, l, tid) => {
    const inst = locOf(at(lock, l, tid));
    return { op, cls: cls ?? inst, inst, ...extra };
  };
}

export function spinLock<L>(lock: PathOf<L>, cls?: string): StepSpec<any, L> {
  return {
    cost: 'lock',
    lock: lockOp('acquire', lock, cls),
    guard: (s, l, tid) => (getIn(s, at(lock, l, tid)) as number) === UNLOCKED,
    footprint: (_s, l, tid) => writes(locOf(at(lock, l, tid))),
    run: (s, l, tid) => ({ s: setIn(s, at(lock, l, tid), tid) }),
  };
}

export function spinTrylock<L>(lock: PathOf<L>, onFail: string, cls?: string): StepSpec<any, L> {
  const ann = lockOp('acquire', lock, cls, { trylock: true });
  return {
    note: (s, l, tid, names) => {
      const owner = getIn(s, at(lock, l, tid)) as number;
      return owner === UNLOCKED
        ? null
        : `spin_trylock(${locOf(at(lock, l, tid))}) fails: held by ${names[owner] ?? owner}`;
    },
    cost: 'lock',
    lock: (s, l, tid) => ((getIn(s, at(lock, l, tid)) as number) === UNLOCKED ? ann(s, l, tid) : null),
    footprint: (_s, l, tid) => writes(locOf(at(lock, l, tid))),
    run: (s, l, tid) => {
      const p = at(lock, l, tid);
      return (getIn(s, p) as number) === UNLOCKED ? { s: setIn(s, p, tid) } : { goto: onFail };
    },
  };
}

export function spinUnlock<L>(lock: PathOf<L>, cls?: string): StepSpec<any, L> {
  return {
    lock: lockOp('release', lock, cls),
    footprint: (_s, l, tid) => writes(locOf(at(lock, l, tid))),
    run: (s, l, tid) => {
      const p = at(lock, l, tid);
      if ((getIn(s, p) as number) !== tid)
        return {
          violation: { property: LOCK_MISUSE, message: `spin_unlock(${locOf(p)}) by a thread that does not hold it` },
        };
      return { s: setIn(s, p, UNLOCKED) };
    },
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)

/** How reports show a lock word (the owner's thread id, or -1): `PTL: reader0`. */
export const lockShow = (path: string, name = path): ShowRule => ({ path, name, as: 'owner' });
