/**
 * Promela counterparts of the kernel primitives of src/kernel (folio, PTE, page-cache slot,
 * spinlock, rwsem): each returns the guard and branches of one step, the same outcomes as the
 * TypeScript primitive. Thread ids are `TID` (= _pid - 1); "no owner" is `NOBODY` (255 where
 * mmcheck has -1). A folio is an index into parallel global arrays ref[], held[], mapcount[],
 * locked[], waiters[], mapping[] (1 = the shmem mapping, 0 = NULL).
 */
import type { Branch, PStep } from './promela.js';

export type Spec = Omit<PStep, 'label' | 'name'>;

export const REFCOUNT = 'refcount';
export const FOLIO_LOCK = 'folio-lock';
export const LOCK_MISUSE = 'lock-misuse';

const not = (c: string) => `!(${c})`;

/** Pair a condition with its negation: the two outcomes of a branch on shared or local state. */
export function split(cond: string, yes: Omit<Branch, 'when'>, no: Omit<Branch, 'when'>): Branch[] {
  return [
    { ...yes, when: cond },
    { ...no, when: not(cond) },
  ];
}

/**
 * `andThen`: thread-local work after the primitive's outcome, in the same step, unless it BUGs.
 * `after` conditions read only locals the primitive does not change.
 */
export function andThen(spec: Spec, after: readonly Branch[]): Spec {
  const branches: Branch[] = [];
  for (const b of spec.branches) {
    if (b.bug) {
      branches.push(b);
      continue;
    }
    for (const a of after) {
      const when =
        [b.when, a.when]
          .filter(Boolean)
          .map((c) => `(${c})`)
          .join(' && ') || undefined;
      const body = [b.body, a.body].filter(Boolean).join('; ') || undefined;
      branches.push({ when, body, goto: a.goto ?? b.goto });
    }
  }
  return { ...spec, branches };
}

// ---------------------------------------------------------------- locks

export const spinLock = (lock: string): Spec => ({ guard: `${lock} == NOBODY`, branches: [{ body: `${lock} = TID` }] });

export const spinUnlock = (lock: string): Spec => ({
  branches: split(`${lock} != TID`, { bug: LOCK_MISUSE }, { body: `${lock} = NOBODY` }),
});

/** down_read on an rwsem whose writer never changes here (no down_write in the model): readers + 1. */
export const downRead = (sem: string): Spec => ({
  guard: `${sem}_writer == NOBODY`,
  branches: [{ body: `${sem}_readers++` }],
});

export const upRead = (sem: string): Spec => ({
  branches: split(`${sem}_readers == 0`, { bug: LOCK_MISUSE }, { body: `${sem}_readers--` }),
});

// ---------------------------------------------------------------- folio

export const folioTryGet = (f: string, onFail: string): Spec => ({
  branches: split(`ref[${f}] == 0`, { goto: onFail }, { body: `ref[${f}]++; held[${f}] = held[${f}] | BIT(TID)` }),
});

export const folioPut = (f: string, holder = false): Spec => ({
  branches: split(
    `ref[${f}] == 0`,
    { bug: REFCOUNT },
    { body: `ref[${f}]--${holder ? `; held[${f}] = held[${f}] & ~BIT(TID)` : ''}` },
  ),
});

/** folio_ref_freeze(expected): cmpxchg(expected → 0); failure jumps to `onFail`. */
export const folioRefFreeze = (f: string, expected: number, onFail: string): Spec => ({
  branches: split(`ref[${f}] == ${expected}`, { body: `ref[${f}] = 0` }, { goto: onFail }),
});

export const folioMapcount = (f: string, delta: 1 | -1): Spec => ({
  branches:
    delta < 0
      ? split(`mapcount[${f}] == 0`, { bug: REFCOUNT }, { body: `mapcount[${f}]--` })
      : [{ body: `mapcount[${f}]++` }],
});

export const folioLockOrQueue = (f: string, afterSleep: string): Spec => ({
  branches: split(
    `locked[${f}] == NOBODY`,
    { body: `locked[${f}] = TID`, goto: afterSleep },
    { body: `waiters[${f}] = waiters[${f}] | BIT(TID)` },
  ),
});

export const folioLockSleep = (f: string): Spec => ({
  guard: `locked[${f}] == NOBODY`,
  branches: [{ body: `locked[${f}] = TID; waiters[${f}] = waiters[${f}] & ~BIT(TID)` }],
});

export const folioWaitUnlocked = (f: string): Spec => ({
  guard: `locked[${f}] == NOBODY || (waiters[${f}] & BIT(TID)) == 0`,
  branches: [{ body: `waiters[${f}] = waiters[${f}] & ~BIT(TID)` }],
});

export const folioQueueIfLocked = (f: string): Spec => ({
  branches: split(`locked[${f}] == NOBODY`, {}, { body: `waiters[${f}] = waiters[${f}] | BIT(TID)` }),
});

export const folioUnlock = (f: string): Spec => ({
  branches: split(`locked[${f}] != TID`, { bug: FOLIO_LOCK }, { body: `locked[${f}] = NOBODY` }),
});

// ---------------------------------------------------------------- PTE

/** PTE kinds; a PTE is (pte_kind, pte_folio) with pte_folio = NOF for none. */
export const PTE_DEFINES = ['PTE_NONE 0', 'PTE_PRESENT 1', 'PTE_MIGRATION 2', 'PTE_INVALID 3'];

export const setPte = (kind: string, folio: string) => `pte_kind = ${kind}; pte_folio = ${folio}`;
