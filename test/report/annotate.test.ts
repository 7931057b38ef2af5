import { describe, expect, test } from '@jest/globals';
import migration from '../../models/kernel/migration-vs-fault.js';
import putAndWait from '../../models/kernel/put-and-wait.js';
import mremap from '../../models/kernel/mremap-vs-rmap-walk.js';
import { callChain, withCalls, withNotes } from '../../src/core/annotations.js';
import { instantiate, type Instance } from '../../src/core/instantiate.js';
import type { Step } from '../../src/core/step.js';
import { explore } from '../../src/explore/explore.js';
import type { Trace } from '../../src/explore/results/result.js';
import { annotate, chainText } from '../../src/report/annotate.js';
import { describeChanges } from '../../src/report/describe.js';
import { renderCounterexample } from '../../src/report/swimlanes.js';

function shortestTrace(inst: Instance, property: string): Trace {
  const r = explore(inst, { strategy: 'bfs', properties: [property] });
  if (r.kind !== 'violation') throw new Error(`expected a violation of ${property}, got ${r.kind}`);
  return r.violation.trace;
}

describe('show rules', () => {
  const names = ['migrator', 'reader0', 'reader1'];
  const rules = [
    { path: 'folios.*.locked', name: 'PG_locked($1)', as: 'owner' as const },
    { path: 'folios.*.held', as: 'threads' as const, add: '$who holds a reference on $1', remove: '$who drops $1' },
    { path: 'folios.*.waiters', name: 'waiters($1)', as: 'threads' as const },
    { path: 'mig', name: 'result', as: 'bookkeeping' as const },
    { path: 'state', names: { '0': 'idle', '1': 'busy' } },
  ];
  const show = (path: string, before: unknown, after: unknown) =>
    describeChanges([{ path, before, after }], 'migrator', names, rules);

  test('an owner by thread name, taken and released', () => {
    expect(show('folios.A.locked', -1, 0)).toEqual([{ text: 'PG_locked(A): migrator', kind: 'state' }]);
    expect(show('folios.A.locked', 0, -1)[0].text).toBe('PG_locked(A): free (was migrator)');
    expect(show('folios.A.locked', 0, 2)[0].text).toBe('PG_locked(A): migrator→reader1');
  });

  test('a thread mask as the threads that joined and left', () => {
    expect(show('folios.A.held', 0, 2)[0].text).toBe('reader0 holds a reference on A');
    expect(show('folios.A.held', 6, 4)[0].text).toBe('reader0 drops A');
    expect(show('folios.B.waiters', 1, 6).map((c) => c.text)).toEqual([
      'waiters(B): +reader0 +reader1',
      'waiters(B): -migrator',
    ]);
  });

  test('bookkeeping is marked, enum values named, unmatched paths raw', () => {
    expect(show('mig', 'running', 'failed')).toEqual([{ text: '[model] result running→failed', kind: 'bookkeeping' }]);
    expect(show('state', 0, 1)[0].text).toBe('state idle→busy');
    expect(show('folios.A.ref', 3, 4)[0].text).toBe('folios.A.ref 3→4');
  });
});

describe('call chains', () => {
  const callers = { c: 'b', b: 'a', a: '', d: ['x', 'y'], 'c: two#2': ['z'] };

  test('walk the caller table to the outermost frame', () => {
    expect(callChain('c: op', callers)).toEqual(['a', 'b', 'c']);
    expect(callChain('option 5 c: op', callers)).toEqual(['a', 'b', 'c']);
    expect(callChain('d: op', callers)).toEqual(['x', 'y', 'd']);
    expect(callChain('e: op', callers)).toBeUndefined();
    expect(callChain('no function here', callers)).toBeUndefined();
  });

  test('label#n picks one of two steps with the same label', () => {
    const st = (label: string): Step => ({ label, footprint: () => [], run: () => ({}) });
    const out = withCalls([st('c: two'), st('c: two')], callers);
    expect(out[0].chain).toEqual(['a', 'b', 'c']);
    expect(out[1].chain).toEqual(['z', 'c']);
    const noted = withNotes([st('c: two'), st('c: two')], { 'c: two#2': () => 'second' });
    expect(noted[0].note).toBeUndefined();
    expect(noted[1].note?.({}, {}, 0, [])).toBe('second');
  });

  test('a chain after another shows only the new frames', () => {
    expect(chainText(['a', 'b', 'c'])).toBe('a() → b() → c()');
    expect(chainText(['a', 'b', 'd'], ['a', 'b', 'c'])).toBe('… → d()');
  });
});

describe('migration-vs-fault traces read without a decoder', () => {
  const inst = instantiate(migration, 'upstream');
  const trace = shortestTrace(inst, 'no-ref-held-across-migration-wait');
  const a = annotate(trace, inst);
  const text = renderCounterexample(
    { property: 'no-ref-held-across-migration-wait', kind: 'invariant', message: 'm', trace },
    { model: 'migration-vs-fault', variant: 'upstream', params: inst.params },
    { inst, width: 200 },
  );

  test('owners and holders by thread name, no raw folio paths', () => {
    expect(text).toContain('PG_locked(A): migrator');
    expect(text).toContain('reader0 holds a reference on A');
    expect(text).toContain('reader0 waits on PG_locked(A)');
    expect(text).toContain('PTL: migrator');
    expect(text).not.toMatch(/folios\.A\.(locked|held|waiters)/);
  });

  test('the lookup names the fault path it is in', () => {
    const lookup = a.steps.find((s) => s.label === 'filemap_get_entry: xas_load')!;
    expect(lookup.chain).toEqual([
      'handle_pte_fault',
      'do_pte_missing',
      'do_fault',
      'do_read_fault',
      '__do_fault',
      'shmem_fault',
      'shmem_get_folio_gfp',
      'filemap_get_entry',
    ]);
    const reader0 = text
      .split('\n')
      .map((l) => l.split('│')[2] ?? '')
      .join(' ')
      .replace(/\s+/g, ' ');
    expect(reader0).toContain(
      'handle_pte_fault() → do_pte_missing() → do_fault() → do_read_fault() → __do_fault() → shmem_fault() → shmem_get_folio_gfp() → filemap_get_entry()',
    );
  });

  test('one full state per step, the last one the violating state', () => {
    expect(a.states).toHaveLength(trace.steps.length + 1);
    const last = a.states[a.states.length - 1].s as { folios: Record<string, { held: number; waiters: number }> };
    expect(last.folios.A.held & last.folios.A.waiters).toBe(2);
  });

  test('a failed freeze says why instead of a blank row', () => {
    const t = shortestTrace(inst, 'migration-succeeds');
    const steps = annotate(t, inst).steps.filter((s) => s.label.includes('folio_ref_freeze'));
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      // No shared change; the only local one is the bounded retry's pass counter (tries).
      expect(s.shown.filter((c) => !(c.kind === 'local' && /^\(migrator\) tries /.test(c.text)))).toEqual([]);
      expect(s.note).toMatch(/^folio_ref_freeze\(A, 2\) fails: count 3 \(reader\d holds a reference\)$/);
    }
  });
});

describe('put-and-wait traces', () => {
  const inst = instantiate(putAndWait, 'v5.0-rc4', { readers: 0 }); // the seed's fault route
  const a = annotate(shortestTrace(inst, 'migration-succeeds'), inst);

  test('model bookkeeping is marked, the fault names its path', () => {
    const shown = a.steps.flatMap((s) => s.shown);
    expect(shown.some((c) => c.kind === 'bookkeeping' && c.text.startsWith('[model] '))).toBe(true);
    expect(shown.some((c) => c.kind !== 'bookkeeping' && /\bmig\b/.test(c.text))).toBe(false);
    const put = annotate(shortestTrace(inst, 'refcount'), inst).steps.find((s) =>
      s.label.startsWith('wait_on_page_bit_common(DROP)'),
    )!;
    expect(put.chain).toEqual([
      'handle_pte_fault',
      'do_swap_page',
      'migration_entry_wait',
      '__migration_entry_wait',
      'put_and_wait_on_page_locked',
      'wait_on_page_bit_common',
    ]);
  });
});

describe('mremap-vs-rmap-walk traces', () => {
  test('the remove walk says why it leaves the entry behind, and where it walks', () => {
    const inst = instantiate(mremap, 'after-486cf46f');
    const a = annotate(shortestTrace(inst, 'remove-walk-complete'), inst);
    expect(a.steps.map((s) => s.note)).toContain('pte[16] is pte_none: no migration entry of P0 here');
    expect(a.steps.some((s) => /^next avc: \S+$/.test(s.note ?? ''))).toBe(true);
    const walk = a.steps.find((s) => s.label.startsWith('remove_migration_pte: pte_offset_map_lock'))!;
    expect(walk.chain).toEqual([
      'migrate_pages',
      'unmap_and_move',
      'remove_migration_ptes',
      'rmap_walk',
      'rmap_walk_anon',
      'remove_migration_pte',
    ]);
  });
});
