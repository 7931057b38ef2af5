import { describe, expect, test } from '@jest/globals';
import { endState } from '../../../src/core/property.js';
import { explore } from '../../../src/explore/explore.js';
import { FOLIO_LOCK, REFCOUNT } from '../../../src/kernel/folio.js';
import { refcountBugs } from '../../../properties/refcount.js';
import { array, commit, evaluate, int, label, layout, oneOf, thread, type Body } from '../../../src/lang/index.js';
import { folioSpec } from '../../../src/lang/kernel/folio.js';
import {
  bufferedRead,
  migratePageMoveMapping,
  movePagePrivate,
  pageCacheNotes,
  pageEnqueue,
  pageFinishWait,
  pagePrivateSpec,
  pageSleepUntilWoken,
  pageTestLocked,
  putPagePrivate,
  unlockPageTestWaiters,
  wakeUpPageBit,
} from '../../../src/lang/kernel/pagecache.js';
import { langProgram, sharedStates } from '../helpers.js';

const page = () => ({ ...folioSpec(['file']), ...pagePrivateSpec() });
const l = layout({
  folios: { A: page(), B: page() },
  cache: array(1, oneOf<string | null>(['A', 'B', null])),
  eagains: int(0, 3),
});
const { A: a, B: b } = l.refs.folios;
const slot = l.refs.cache.at(0);
const folio = (n: string) => l.refs.folios[n as 'A'];
type S = ReturnType<typeof l.state>;
const run = (s: S, t: number, body: Body<object>) => evaluate(l, body, s, {}, t);
const step = (s: S, t: number, body: Body<object>): S => commit(s, run(s, t, body));

describe('the page wait queue (wait_on_page_bit_common / unlock_page before 5.9)', () => {
  const locked = l.state({ folios: { A: { locked: 0 } } });
  test('a waiter queues once, sleeps until a wake dequeues it, and finish_wait leaves the queue', () => {
    let s = step(locked, 1, (c) => pageEnqueue(c, a));
    expect(step(s, 1, (c) => pageEnqueue(c, a))).toBe(s);
    expect(s.folios.A.waiters).toBe(0b10);
    expect(run(s, 1, (c) => pageTestLocked(c, a)).value).toBe(true);
    expect(run(s, 1, (c) => pageSleepUntilWoken(c, a)).blocked).toBe(true);
    const e = run(s, 0, (c) => unlockPageTestWaiters(c, a));
    expect(e.value).toBe(true); // PG_waiters was set: wake_up_page_bit follows
    s = step(commit(s, e), 0, (c) => wakeUpPageBit(c, a));
    expect([s.folios.A.locked, s.folios.A.waiters]).toEqual([-1, 0]);
    expect(run(s, 1, (c) => pageSleepUntilWoken(c, a)).blocked).toBe(false);
    expect(run(s, 1, (c) => pageFinishWait(c, a)).writes).toEqual([]);
    const queued = step(locked, 1, (c) => pageEnqueue(c, a));
    expect(step(queued, 1, (c) => pageFinishWait(c, a)).folios.A.waiters).toBe(0);
  });
  test('unlock_page with nobody queued says so; unlocking a page this thread has not locked is a BUG', () => {
    expect(run(locked, 0, (c) => unlockPageTestWaiters(c, a)).value).toBe(false);
    expect(run(locked, 1, (c) => unlockPageTestWaiters(c, a)).violation).toEqual({
      property: FOLIO_LOCK,
      message: 'VM_BUG_ON_PAGE(!PageLocked(page)): unlock_page of A not locked by this thread',
    });
  });
});

describe('private data', () => {
  const s0 = l.state({ folios: { A: { ref: 3, private: true, privateRef: true }, B: { ref: 2 } } });
  test('iomap_migrate_page moves PG_private, and with its reference get_page(newpage) then put_page(page)', () => {
    const moved = step(s0, 0, (c) => movePagePrivate(c, a, b, true));
    expect([moved.folios.A.private, moved.folios.B.private, moved.folios.B.privateRef, moved.folios.B.ref]).toEqual([
      false,
      true,
      true,
      3,
    ]);
    const put = step(moved, 0, (c) => putPagePrivate(c, a));
    expect([put.folios.A.ref, put.folios.A.privateRef]).toEqual([2, false]);
    expect(step(put, 0, (c) => putPagePrivate(c, a))).toBe(put);
  });
  test('without a reference only the flag moves; a page without private data moves nothing', () => {
    const moved = step(s0, 0, (c) => movePagePrivate(c, a, b, false));
    expect([moved.folios.B.private, moved.folios.B.privateRef, moved.folios.B.ref]).toEqual([true, false, 2]);
    expect(run(moved, 0, (c) => movePagePrivate(c, a, b, false)).writes).toEqual([]);
  });
});

/**
 * A migrator replaces A by B in the page cache (migrate_page_move_mapping with A's count
 * expected at `expected`) while a reader read(2)s the page. The migrator's isolation reference
 * is A's second one; B starts with the migrator's.
 */
function race(expected: number, init: Parameters<typeof l.state>[0], version: 'v5.0' | 'v5.17' = 'v5.0') {
  const migrator = [
    ...migratePageMoveMapping<object>({
      slot,
      page: a,
      newpage: b,
      expected: () => expected,
      eagain: 'out',
      onEagain: (c) => c.set(l.refs.eagains, c.get(l.refs.eagains) + 1),
    }),
    label<object>('out'),
  ];
  const noHolder = endState<S>('no-reference-left', 'The reader puts what it got.', ({ s }) =>
    s.folios.A.held | s.folios.B.held ? 'a reference is left' : null,
  );
  return langProgram(() => ({
    layout: l,
    init: l.state(init),
    threads: [thread('migrator', {}, migrator), thread('reader', { f: null }, bufferedRead(version, slot, folio))],
    properties: [refcountBugs, noHolder],
    observes: {},
  }));
}

describe('a read(2) against migrate_page_move_mapping', () => {
  const balanced = { folios: { A: { ref: 2, mapping: 'file' as const }, B: { ref: 1 } }, cache: ['A' as const] };
  test('with the count as expected: the reader holding A fails the move (-EAGAIN), or is sent to B by xas_reload', () => {
    for (const v of ['v5.0', 'v5.17'] as const) {
      const r = explore(race(2, balanced, v), { strategy: 'naive', stopAtFirst: false });
      expect([v, r.kind, r.kind === 'pass' && r.stats.states]).toEqual([v, 'pass', 33]);
      // Ends: moved (A keeps the caller's reference, B the cache's and the caller's) or -EAGAIN.
      const ends = [...sharedStates(race(2, balanced, v)).terminal].map((j) => JSON.parse(j) as S);
      const summary = ends.map((e) => [e.cache[0], e.folios.A.ref, e.folios.B.ref, e.eagains]);
      expect(summary.sort()).toEqual([
        ['A', 2, 1, 1],
        ['B', 1, 2, 0],
      ]);
    }
  });
  test('expected one too high (a phantom reference): the reader fills it and its put hits the frozen count', () => {
    const r = explore(race(3, balanced), { strategy: 'bfs', properties: [REFCOUNT] });
    if (r.kind !== 'violation') throw new Error(r.kind);
    expect(r.violation.trace.steps.map((s) => `${s.thread}: ${s.label}`)).toEqual([
      'reader: find_get_entry: xas_load',
      'reader: find_get_entry: page_cache_get_speculative (count 0 → repeat)',
      'migrator: migrate_page_move_mapping: xas_lock_irq; page_count != expected_count?',
      'migrator: migrate_page_move_mapping: page_ref_freeze(page, expected_count)',
      'reader: find_get_entry: page != xas_reload?',
      'reader: generic_file_buffered_read: copy_page_to_iter; put_page(page)',
    ]);
  });
  test('the lookup notes say what the slot held', () => {
    const notes = pageCacheNotes(slot, folio);
    const s = l.state({ cache: ['B'], folios: { A: { ref: 0 } } });
    expect(notes['find_get_entry: xas_load'](s, { f: null }, 0, [])).toBe('slot 0: B');
    expect(notes['filemap_get_read_batch: folio != xas_reload?'](s, { f: 'A' }, 0, [])).toBe(
      'slot 0 now holds B, not A: moved',
    );
    expect(notes['find_get_entry: page_cache_get_speculative (count 0 → repeat)'](s, { f: 'A' }, 0, [])).toBe(
      'folio_try_get(A) fails: count 0 (frozen or freed)',
    );
  });
});
