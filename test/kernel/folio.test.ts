import { describe, expect, test } from '@jest/globals';
import type { StepSpec } from '../../src/core/step.js';
import {
  FOLIO_LOCK,
  REFCOUNT,
  folio,
  folioEnqueue,
  folioFinishWait,
  folioGet,
  folioLockOrQueue,
  folioLockSleep,
  folioMapcount,
  folioPut,
  folioQueueIfLocked,
  folioReadMapping,
  folioRefFreeze,
  folioRefUnfreeze,
  folioRenamed,
  folioSleepUntilWoken,
  folioTestLocked,
  folioTryGet,
  folioThreadBits,
  folioTrylock,
  folioUnlock,
  folioUnlockTestWaiters,
  folioWaitUnlocked,
  folioWakeUpBit,
  heldBy,
  withFolio,
  type Folio,
  type WithFolios,
} from '../../src/kernel/folio.js';

type S = WithFolios;
type L = { f: string; r?: unknown };
const L0: L = { f: 'P' };
const st = (f: Partial<Folio> = {}): S => ({ folios: { P: folio(f) } });
const ref = [{ loc: 'P.ref', write: true }];
const lock = [{ loc: 'P.lock', write: true }];

/** Guard, footprint and outcome of one step for thread `tid` in state `s`. */
function apply(spec: StepSpec<S, L>, s: S, tid = 0, l: L = L0) {
  return {
    enabled: spec.guard ? spec.guard(s, l, tid) : true,
    fp: spec.footprint(s, l, tid),
    out: spec.run(s, l, tid),
  };
}
const after = (spec: StepSpec<S, L>, s: S, tid = 0) => apply(spec, s, tid).out.s?.folios.P;

describe('folio', () => {
  test('a new folio: one reference, unmapped, unlocked, no waiters, no mapping', () => {
    expect(folio()).toEqual({ ref: 1, held: 0, mapcount: 0, locked: -1, waiters: 0, mapping: null });
    expect(folio({ ref: 3, mapping: 'f' })).toMatchObject({ ref: 3, mapping: 'f' });
  });
  test('withFolio copies the state and the folio it changes, nothing else', () => {
    const s = { folios: { P: folio(), Q: folio() }, other: 1 };
    const t = withFolio(s, 'P', { ref: 2 });
    expect(t.folios.P.ref).toBe(2);
    expect(s.folios.P.ref).toBe(1);
    expect(t.folios.Q).toBe(s.folios.Q);
    expect(t.other).toBe(1);
  });
  test('a folio name may come from the locals', () => {
    const s = { folios: { P: folio(), Q: folio() } };
    const r = folioGet<S, L>((l) => l.f).run(s, { f: 'Q' }, 0);
    expect(r.s?.folios.Q.ref).toBe(2);
    expect(folioGet<S, L>((l) => l.f).footprint(s, { f: 'Q' }, 0)).toEqual([{ loc: 'Q.ref', write: true }]);
  });
});

describe('refcount: get, try_get, put', () => {
  test('folio_get adds one at P.ref (an atomic); a holder get records the thread', () => {
    const r = apply(folioGet('P'), st());
    expect(r.fp).toEqual(ref);
    expect(r.out.s?.folios.P).toMatchObject({ ref: 2, held: 0 });
    expect(after(folioGet('P', true), st(), 2)).toMatchObject({ ref: 2, held: 0b100 });
    expect(folioGet('P').cost).toBe('atomic');
  });
  test('folio_get on a zero count is a BUG', () => {
    expect(apply(folioGet('P'), st({ ref: 0 })).out).toEqual({
      violation: {
        property: REFCOUNT,
        message: 'VM_BUG_ON_FOLIO(folio_ref_count(folio) == 0): folio_get on P with a zero count',
      },
    });
  });
  test('folio_try_get adds one and records the holder, or jumps on a zero count', () => {
    expect(after(folioTryGet('P', 'repeat'), st(), 1)).toMatchObject({ ref: 2, held: 0b10 });
    expect(apply(folioTryGet('P', 'repeat'), st({ ref: 0 })).out).toEqual({ goto: 'repeat' });
    expect(apply(folioTryGet('P', 'repeat'), st()).fp).toEqual(ref);
  });
  test('folio_put drops one (and the holder bit); a put on zero is a BUG', () => {
    expect(after(folioPut('P', true), st({ ref: 2, held: 0b11 }), 0)).toMatchObject({ ref: 1, held: 0b10 });
    expect(after(folioPut('P'), st({ ref: 2, held: 0b11 }), 0)).toMatchObject({ ref: 1, held: 0b11 });
    expect(apply(folioPut('P'), st({ ref: 0 })).out.violation).toEqual({
      property: REFCOUNT,
      message: 'VM_BUG_ON_PAGE(page_ref_count(page) == 0): folio_put on P with a zero count',
    });
  });
  test('heldBy names the holders', () => {
    expect(heldBy(folio({ held: 0b101 }), ['a', 'b', 'c'])).toEqual(['a', 'c']);
  });
});

describe('refcount: freeze and unfreeze', () => {
  test('folio_ref_freeze: the expected count becomes zero; any other jumps', () => {
    expect(
      after(
        folioRefFreeze('P', () => 2, 'busy'),
        st({ ref: 2 }),
      ),
    ).toMatchObject({ ref: 0 });
    expect(
      apply(
        folioRefFreeze('P', () => 2, 'busy'),
        st({ ref: 3 }),
      ).out,
    ).toEqual({ goto: 'busy' });
    expect(
      apply(
        folioRefFreeze('P', () => 2, 'busy'),
        st(),
      ).fp,
    ).toEqual(ref);
  });
  test('a frozen set records whom the freezer accounted for; unfreeze clears it', () => {
    const frozen = after(
      folioRefFreeze(
        'P',
        () => 2,
        'busy',
        () => ['caller', 'cache'],
      ),
      st({ ref: 2 }),
    );
    expect(frozen).toMatchObject({ ref: 0, frozen: ['caller', 'cache'] });
    expect(after(folioRefUnfreeze('P', 3), { folios: { P: frozen! } })).toMatchObject({ ref: 3, frozen: null });
    expect(
      after(
        folioRefUnfreeze('P', () => 1),
        st({ ref: 0 }),
      ),
    ).toEqual(folio({ ref: 1 }));
  });
  test('unfreezing a folio that is not frozen is a BUG', () => {
    expect(apply(folioRefUnfreeze('P', 1), st({ ref: 2 })).out.violation).toEqual({
      property: REFCOUNT,
      message: 'VM_BUG_ON_PAGE(page_count(page) != 0): folio_ref_unfreeze on P with count 2',
    });
  });
});

describe('mapcount', () => {
  test('add/remove rmap change the mapcount at P.map; underflow is a BUG', () => {
    expect(after(folioMapcount('P', 1), st())).toMatchObject({ mapcount: 1 });
    expect(after(folioMapcount('P', -1), st({ mapcount: 1 }))).toMatchObject({ mapcount: 0 });
    expect(apply(folioMapcount('P', 1), st()).fp).toEqual([{ loc: 'P.map', write: true }]);
    expect(apply(folioMapcount('P', -1), st()).out.violation).toEqual({
      property: REFCOUNT,
      message: 'VM_BUG_ON_FOLIO(folio_mapcount(folio) < 0): P mapcount underflow',
    });
  });
});

describe('PG_locked', () => {
  test('folio_trylock takes a clear bit, or jumps; a lock-cost step at P.lock', () => {
    expect(after(folioTrylock('P', 'busy'), st(), 1)).toMatchObject({ locked: 1 });
    expect(apply(folioTrylock('P', 'busy'), st({ locked: 0 }), 1).out).toEqual({ goto: 'busy' });
    expect(apply(folioTrylock('P', 'busy'), st()).fp).toEqual(lock);
    expect(folioTrylock('P', 'busy').cost).toBe('lock');
  });
  test('folio_lock: take it and skip the sleep, or queue and set PG_waiters', () => {
    expect(apply(folioLockOrQueue('P', 'locked'), st(), 1).out).toEqual({
      s: st({ locked: 1 }),
      goto: 'locked',
    });
    expect(after(folioLockOrQueue('P', 'locked'), st({ locked: 0 }), 1)).toMatchObject({ locked: 0, waiters: 0b10 });
  });
  test('folio_lock sleep: blocked while locked; woken, takes the lock and leaves the queue', () => {
    const sleep = folioLockSleep<S, L>('P');
    expect(apply(sleep, st({ locked: 0, waiters: 0b10 }), 1).enabled).toBe(false);
    const r = apply(sleep, st({ waiters: 0b110 }), 1);
    expect(r.enabled).toBe(true);
    expect(r.fp).toEqual(lock);
    expect(r.out.s?.folios.P).toMatchObject({ locked: 1, waiters: 0b100 });
  });
  test('folio_unlock clears the bit; unlocking a folio this thread did not lock is a BUG', () => {
    expect(after(folioUnlock('P'), st({ locked: 2 }), 2)).toMatchObject({ locked: -1 });
    expect(apply(folioUnlock('P'), st({ locked: 1 }), 2).out).toEqual({
      violation: {
        property: FOLIO_LOCK,
        message: 'VM_BUG_ON_FOLIO(!folio_test_locked(folio)): folio_unlock of P not locked by this thread',
      },
    });
  });
  test('folio_test_locked is a plain read of P.lock', () => {
    const into = (l: L, locked: boolean) => ({ l: { ...l, r: locked } });
    expect(apply(folioTestLocked<S, L>('P', into), st({ locked: 0 })).out).toEqual({ l: { f: 'P', r: true } });
    expect(apply(folioTestLocked<S, L>('P', into), st()).out).toEqual({ l: { f: 'P', r: false } });
    expect(apply(folioTestLocked<S, L>('P', into), st()).fp).toEqual([{ loc: 'P.lock', write: false }]);
  });
  test('folio->mapping is a plain read of P.mapping', () => {
    const r = apply(
      folioReadMapping('P', (l, m) => ({ l: { ...l, r: m } })),
      st({ mapping: 'file' }),
    );
    expect(r.out).toEqual({ l: { f: 'P', r: 'file' } });
    expect(r.fp).toEqual([{ loc: 'P.mapping', write: false }]);
  });
});

describe('the page wait queue', () => {
  test('folio_wait_locked: blocked while locked and queued; then dequeues', () => {
    const w = folioWaitUnlocked<S, L>('P');
    expect(apply(w, st({ locked: 0, waiters: 0b10 }), 1).enabled).toBe(false);
    expect(apply(w, st({ locked: 0, waiters: 0b100 }), 1).enabled).toBe(true);
    expect(after(w, st({ waiters: 0b110 }), 1)).toMatchObject({ waiters: 0b100 });
  });
  test('queue-if-locked queues only on a locked folio', () => {
    expect(apply(folioQueueIfLocked('P'), st(), 1).out).toEqual({});
    expect(after(folioQueueIfLocked('P'), st({ locked: 0 }), 1)).toMatchObject({ waiters: 0b10 });
  });
  test('enqueue is idempotent; finish_wait leaves the queue only if still on it', () => {
    expect(after(folioEnqueue('P'), st(), 2)).toMatchObject({ waiters: 0b100 });
    expect(apply(folioEnqueue('P'), st({ waiters: 0b100 }), 2).out).toEqual({});
    expect(after(folioFinishWait('P'), st({ waiters: 0b101 }), 2)).toMatchObject({ waiters: 0b001 });
    expect(apply(folioFinishWait('P'), st({ waiters: 0b001 }), 2).out).toEqual({});
  });
  test('io_schedule sleeps until a waker dequeued the task, and writes nothing', () => {
    const z = folioSleepUntilWoken<S, L>('P');
    expect(apply(z, st({ waiters: 0b10 }), 1).enabled).toBe(false);
    const r = apply(z, st({ waiters: 0b01 }), 1);
    expect(r.enabled).toBe(true);
    expect(r.fp).toEqual([{ loc: 'P.lock', write: false }]);
    expect(r.out).toEqual({});
  });
  test('unlock_page: clear PG_locked and hand PG_waiters on; a foreign unlock is a BUG', () => {
    const then = (l: L, waiters: boolean) => ({ l: { ...l, r: waiters } });
    expect(apply(folioUnlockTestWaiters<S, L>('P', then), st({ locked: 0, waiters: 0b10 })).out).toEqual({
      l: { f: 'P', r: true },
      s: st({ waiters: 0b10 }),
    });
    expect(apply(folioUnlockTestWaiters<S, L>('P', then), st({ locked: 1 })).out).toEqual({
      violation: {
        property: FOLIO_LOCK,
        message: 'VM_BUG_ON_PAGE(!PageLocked(page)): unlock_page of P not locked by this thread',
      },
    });
  });
  test('wake_up_page_bit empties the queue', () => {
    expect(after(folioWakeUpBit('P'), st({ waiters: 0b110 }))).toMatchObject({ waiters: 0 });
    expect(apply(folioWakeUpBit('P'), st()).out).toEqual({});
    expect(apply(folioWakeUpBit('P'), st()).fp).toEqual(lock);
  });
});

describe('symmetry helpers', () => {
  test('renaming threads moves held, waiters and the lock owner; an unchanged folio is the same object', () => {
    const f = folio({ held: 0b01, waiters: 0b10, locked: 0 });
    expect(folioRenamed(f, [1, 0])).toMatchObject({ held: 0b10, waiters: 0b01, locked: 1 });
    expect(folioRenamed(f, [0, 1])).toBe(f);
  });
  test('thread bits: holder, queued, lock owner', () => {
    const f = folio({ held: 0b01, waiters: 0b11, locked: 1 });
    expect(folioThreadBits(f, 0)).toBe(0b011);
    expect(folioThreadBits(f, 1)).toBe(0b110);
  });
});
