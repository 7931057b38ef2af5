import { describe, expect, test } from '@jest/globals';
import model, { type S } from '../../models/kernel/put-and-wait.js';
import { instantiate } from '../../src/core/instantiate.js';
import { explore } from '../../src/explore/explore.js';
import { replay } from '../../src/explore/strategies/replay.js';
import { System } from '../../src/explore/system/system.js';
import { outcomesOf, verdictHelpers } from '../helpers/verdicts.js';
import { ALL_REDUCTIONS, instantiateWith, NO_REDUCTIONS } from '../../src/lang/index.js';
import { sharedStates } from '../lang/helpers.js';

type Params = { faults?: number; passes?: number; readers?: number };

/** The migration-entry faults alone, as the model was before read(2) readers (the seed's route). */
const FAULTS_ONLY = { readers: 0 };

const { outcomes, violated } = verdictHelpers(model);

/** The shortest counterexample (breadth-first) for one property. */
const shortest = (variant: string, property: string, params: Params = {}) => {
  const inst = instantiate(model, variant, params);
  const r = explore(inst, { strategy: 'bfs', properties: [property] });
  if (r.kind !== 'violation') throw new Error(`${variant}: ${property} not violated`);
  return r.violation;
};

const rows = (v: ReturnType<typeof shortest>) => v.trace.steps.map((s) => `${s.thread}: ${s.label}`);
const firstAt = (labels: string[], part: string) => labels.findIndex((l) => l.includes(part));
const count = (labels: string[], part: string) => labels.filter((l) => l.includes(part)).length;

/** pre-9a1ea439, one pass: the fault queues on the locked page, the migrator runs to the end, the fault wakes and puts. */
const SILENT = '0*8,1*8,0*14,1*5';

const BUG = ['frozen-ref-not-in-use', 'migration-succeeds', 'no-spurious-migration-failure', 'refcount'];

describe('put-and-wait-vs-migration: verdicts per variant (1 fault, 2 passes, 1 reader)', () => {
  test("v5.0-rc4: the waiter's reference stands in for the private one, and its put before sleeping hits the frozen count", () => {
    // The seed: VM_BUG_ON_PAGE(page_ref_count(page) == 0) in put_and_wait_on_page_locked; without a waiter every pass fails.
    expect(violated('v5.0-rc4')).toEqual(BUG);
  });
  test('pre-9a1ea439: one pass is a silent off-by-one; a second pass lets a reference taken in the first reach the frozen count', () => {
    // Cai reproduced the BUG without 9a1ea439: the waiter that saw the page unlocked after pass 1 puts during pass 2's freeze.
    expect(violated('pre-9a1ea439')).toEqual(BUG);
    expect(violated('pre-9a1ea439', { passes: 1, ...FAULTS_ONLY })).toEqual([
      'frozen-ref-not-in-use',
      'migration-succeeds',
      'no-spurious-migration-failure',
    ]);
  });
  test('iomap-fixed (8e47a457): no BUG, no off-by-one; a pass fails only when a waiter really holds a reference', () => {
    // Artem's pgmigrate_fail dropped "to just tens": a refaulting waiter can still win every pass.
    expect(violated('iomap-fixed')).toEqual(['migration-succeeds']);
  });
  test('pre-9a1ea439-iomap-fixed: a waiter sleeping with its reference fails the pass, which is why 9a1ea439 was written', () => {
    expect(violated('pre-9a1ea439-iomap-fixed')).toEqual(['migration-succeeds']);
  });
  test('v5.17: migration_entry_wait takes no reference; only a read(2) holding its reference across every pass fails it', () => {
    // ffa65753c431 removed the fault's reference; a reader's reference during copy_page_to_iter is a
    // real one (the copy can sleep on the user buffer), so -EAGAIN on every pass is the kernel's
    // transient failure (pgmigrate_fail), never a BUG: refcount and the frozen-set check hold.
    expect(violated('v5.17')).toEqual(['migration-succeeds']);
    expect(violated('v5.17', FAULTS_ONLY)).toEqual([]);
  });
  test('v5.17-iomap-bug: the iomap off-by-one alone BUGs through a read(2), with no reference-taking wait at all', () => {
    // Hugh: "something has done an improper put_page()"; Artem saw the same VM_BUG through
    // generic_file_buffered_read with 9a1ea439 reverted. Any speculative page-cache reference
    // stands in for the private data's missing one, so the fix had to be 8e47a457, not the wait.
    expect(violated('v5.17-iomap-bug')).toEqual(BUG);
    expect(violated('v5.17-iomap-bug', { faults: 0 })).toEqual(BUG);
  });
  test('v5.17-iomap-bug with faults only: no reference is ever taken, so every pass fails and nothing BUGs', () => {
    // migration_entry_wait_on_locked queues under the PTL without get_page: 2 != 1 + 1 + page_has_private on every pass.
    expect(violated('v5.17-iomap-bug', FAULTS_ONLY)).toEqual(['migration-succeeds', 'no-spurious-migration-failure']);
  });
  test('every variant meets its declared expectation', () => {
    for (const variant of Object.keys(model.variants))
      expect(outcomes(variant)).toEqual(instantiate(model, variant).expect);
  });
});

describe('put-and-wait-vs-migration: failed migrations', () => {
  test('with the iomap bug and nobody faulting, every pass fails: the count is one short of expected_count', () => {
    // Piotr's report: move_pages fails on mmapped XFS files (2 != 1 + 1 + page_has_private).
    for (const v of ['v5.0-rc4', 'pre-9a1ea439', 'v5.17-iomap-bug'])
      expect(violated(v, { faults: 0, ...FAULTS_ONLY })).toEqual([
        'migration-succeeds',
        'no-spurious-migration-failure',
      ]);
  });
  test('with the private reference, nobody faulting, migration succeeds on every kernel', () => {
    for (const v of ['iomap-fixed', 'pre-9a1ea439-iomap-fixed', 'v5.17'])
      expect(violated(v, { faults: 0, ...FAULTS_ONLY })).toEqual([]);
  });
  test('the shortest failed migration of v5.0-rc4 is the migrator alone, failing the count check on each pass', () => {
    const v = shortest('v5.0-rc4', 'no-spurious-migration-failure', FAULTS_ONLY);
    const labels = rows(v);
    expect(count(labels, 'migrator: migrate_page_move_mapping: xas_lock_irq; page_count != expected_count?')).toBe(2);
    expect(count(labels, 'page_ref_freeze')).toBe(0);
    expect(labels.filter((l) => l.startsWith('fault0')).every((l) => l.includes('CPU access'))).toBe(true);
  });
});

describe('put-and-wait-vs-migration: the shortest counterexample reads like the thread', () => {
  test("v5.0-rc4: get_page_unless_zero, then the freeze succeeds at 3, then the waiter's put hits zero", () => {
    const v = shortest('v5.0-rc4', 'refcount', FAULTS_ONLY);
    const labels = rows(v);
    const get = firstAt(labels, 'fault0: __migration_entry_wait: get_page_unless_zero');
    const freeze = firstAt(labels, 'migrator: migrate_page_move_mapping: page_ref_freeze');
    const put = firstAt(labels, 'fault0: wait_on_page_bit_common(DROP): put_page');
    expect(get).toBeGreaterThan(firstAt(labels, 'migrator: try_to_unmap_one: put_page'));
    expect(freeze).toBeGreaterThan(get);
    expect(put).toBe(labels.length - 1);
    expect(v.trace.steps[freeze].changes).toContainEqual(
      expect.objectContaining({ path: 'folios.A.ref', before: 3, after: 0 }),
    );
    expect(v.message).toMatch(/VM_BUG_ON_PAGE\(page_ref_count\(page\) == 0\)/);
    expect(v.trace.steps).toHaveLength(18);
    const again = replay(new System(instantiate(model, 'v5.0-rc4', FAULTS_ONLY), ['refcount']), v.trace.schedule);
    expect(again.kind === 'replayed' && again.violation?.property).toBe('refcount');
  });
  test('v5.0-rc4: the frozen count names the waiter as the holder standing in for the private data', () => {
    const v = shortest('v5.0-rc4', 'frozen-ref-not-in-use', FAULTS_ONLY);
    expect(v.message).toBe(
      "A: refcount frozen at 0 (freezer accounted for migrator, page cache, private) while fault0 holds a reference; private held no reference, so fault0's stood in for it",
    );
    expect(v.trace.steps).toHaveLength(14);
  });
  test('pre-9a1ea439, one pass: the freeze succeeds while the waiter sleeps with its reference (silent)', () => {
    const v = shortest('pre-9a1ea439', 'frozen-ref-not-in-use', { passes: 1, ...FAULTS_ONLY });
    expect(v.message).toMatch(/fault0's stood in for it/);
    expect(violated('pre-9a1ea439', { passes: 1, ...FAULTS_ONLY })).not.toContain('refcount-balanced');
  });
  test('pre-9a1ea439, one pass: without the frozen-set check the run ends migrated and balanced, nothing notices', () => {
    // The fault sleeps holding its reference across the freeze and puts it after the unfreeze (docs: the silent trace).
    const inst = instantiate(model, 'pre-9a1ea439', { passes: 1, ...FAULTS_ONLY });
    const others = inst.properties.map((p) => p.name).filter((n) => n !== 'frozen-ref-not-in-use');
    const silent = replay(new System(inst, others), SILENT);
    expect(silent.kind === 'replayed' && silent.end).toBe('terminal');
    const checked = replay(new System(inst), SILENT);
    expect(checked.kind === 'replayed' && checked.violation?.property).toBe('frozen-ref-not-in-use');
  });
  test("pre-9a1ea439, two passes: the reference was taken in pass 1 and is put after pass 2's freeze", () => {
    const labels = rows(shortest('pre-9a1ea439', 'refcount', FAULTS_ONLY));
    const get = firstAt(labels, 'fault0: __migration_entry_wait: get_page_unless_zero');
    const locks = labels
      .map((l, i) => (l.includes('migrator: __unmap_and_move: trylock_page(page)') ? i : -1))
      .filter((i) => i >= 0);
    expect(locks).toHaveLength(2);
    expect(get).toBeGreaterThan(locks[0]);
    expect(get).toBeLessThan(locks[1]);
    expect(labels[labels.length - 1]).toBe('fault0: __migration_entry_wait: put_page(page); refault');
  });
});

describe('put-and-wait-vs-migration: scaling', () => {
  test('faults = 0..2 complete for every variant with the same verdicts on the BUG (no readers)', () => {
    for (let faults = 0; faults <= 2; faults++)
      for (const variant of Object.keys(model.variants)) {
        const o = outcomes(variant, { faults, ...FAULTS_ONLY });
        expect(o.refcount).toBe(
          faults > 0 && (variant === 'v5.0-rc4' || variant === 'pre-9a1ea439') ? 'violated' : 'holds',
        );
        expect(o['deadlock-free']).toBe('holds');
        expect(o['refcount-balanced']).toBe('holds');
      }
  });
  test('the reduced search and the naive one agree on every verdict (1 fault)', () => {
    for (const variant of Object.keys(model.variants))
      expect(outcomes(variant, {}, 'dfs')).toEqual(outcomes(variant, {}, 'naive'));
  });
  test("the kernel's 10 passes: the fixed kernels still fail against a refaulting waiter, v5.17 only against a reader", () => {
    expect(violated('iomap-fixed', { passes: 10 })).toEqual(['migration-succeeds']);
    expect(violated('v5.17', { passes: 10, faults: 2, ...FAULTS_ONLY })).toEqual([]);
    expect(violated('v5.17', { passes: 10 })).toEqual(['migration-succeeds']);
  });
});

describe('put-and-wait-vs-migration: read(2) readers (find_get_entry / filemap_get_read_batch)', () => {
  const IOMAP_BUG = ['v5.0-rc4', 'pre-9a1ea439', 'v5.17-iomap-bug'];
  test('readers = 0..2 with no faults: the BUG follows the iomap bug, whatever the wait', () => {
    // A reader's speculative reference is taken without the PTL or the page lock, so every kernel
    // with the off-by-one can freeze on it; 8e47a457 makes the count 4 != 3 and the freeze fails.
    for (let readers = 0; readers <= 2; readers++)
      for (const variant of Object.keys(model.variants)) {
        const o = outcomes(variant, { faults: 0, readers });
        expect([variant, readers, o.refcount]).toEqual([
          variant,
          readers,
          readers > 0 && IOMAP_BUG.includes(variant) ? 'violated' : 'holds',
        ]);
        expect(o['refcount-balanced']).toBe('holds');
        expect(o['deadlock-free']).toBe('holds');
      }
  });
  test("pre-9a1ea439, no fault: Artem's BUG through generic_file_buffered_read with 9a1ea439 reverted", () => {
    // find_get_entry's get lands before the freeze (3 = 1 + 1 + page_has_private), xas_reload still
    // sees A (xas_store has not run), and the put after copy_page_to_iter hits the frozen count.
    const v = shortest('pre-9a1ea439', 'refcount', { faults: 0 });
    const labels = rows(v);
    const get = firstAt(labels, 'reader0: find_get_entry: page_cache_get_speculative');
    const freeze = firstAt(labels, 'migrator: migrate_page_move_mapping: page_ref_freeze');
    expect(get).toBeGreaterThan(firstAt(labels, 'migrator: try_to_unmap_one: put_page'));
    expect(freeze).toBeGreaterThan(get);
    expect(firstAt(labels, 'reader0: find_get_entry: page != xas_reload?')).toBeGreaterThan(freeze);
    expect(labels[labels.length - 1]).toBe('reader0: generic_file_buffered_read: copy_page_to_iter; put_page(page)');
    expect(v.trace.steps[freeze].changes).toContainEqual(
      expect.objectContaining({ path: 'folios.A.ref', before: 3, after: 0 }),
    );
    expect(v.message).toMatch(/VM_BUG_ON_PAGE\(page_ref_count\(page\) == 0\)/);
    expect(v.trace.steps).toHaveLength(14);
  });
  test('v5.17-iomap-bug, no fault: the same 14 steps through filemap_get_read_batch / filemap_read', () => {
    const v = shortest('v5.17-iomap-bug', 'refcount', { faults: 0 });
    expect(v.trace.steps).toHaveLength(14);
    expect(rows(v)[13]).toBe('reader0: filemap_read: copy_page_to_iter; put_page(page)');
  });
  test('the frozen count names the reader as the holder standing in for the private data', () => {
    const v = shortest('v5.17-iomap-bug', 'frozen-ref-not-in-use', { faults: 0 });
    expect(v.message).toBe(
      "A: refcount frozen at 0 (freezer accounted for migrator, page cache, private) while reader0 holds a reference; private held no reference, so reader0's stood in for it",
    );
  });
  test('with the private reference the frozen set always holds: a reader that loaded A is caught by xas_reload', () => {
    // find_get_entry: the get after the unfreeze succeeds on A, xas_reload sees B ("has the page
    // moved?"), put_page(head) and repeat; the second lookup reads from B. No reference outlives it.
    for (const variant of ['iomap-fixed', 'v5.17'])
      for (const readers of [1, 2])
        expect(outcomes(variant, { faults: 0, readers })['frozen-ref-not-in-use']).toBe('holds');
    const r = replay(new System(instantiate(model, 'iomap-fixed', { faults: 0 })), '0*8,1,0*4,1*7');
    expect(r.kind === 'replayed' && r.violation).toBeFalsy();
    const labels = r.kind === 'replayed' ? r.trace.steps.map((st) => `${st.thread}: ${st.label}`) : [];
    const moved = firstAt(labels, 'reader0: find_get_entry: put_page(head) (moved); repeat');
    expect(moved).toBeGreaterThan(firstAt(labels, 'migrator: migrate_page_move_mapping: page_ref_unfreeze'));
    expect(labels[labels.length - 1]).toBe('reader0: generic_file_buffered_read: copy_page_to_iter; put_page(page)');
    expect(r.kind === 'replayed' && r.trace.steps[r.trace.steps.length - 1].changes).toContainEqual(
      expect.objectContaining({ path: 'folios.B.ref' }),
    );
  });
  test('the reduced search and the naive one agree on every verdict (no fault, 1 reader)', () => {
    for (const variant of Object.keys(model.variants))
      expect(outcomes(variant, { faults: 0 }, 'dfs')).toEqual(outcomes(variant, { faults: 0 }, 'naive'));
  });
});

describe('put-and-wait-vs-migration: written in the model language', () => {
  // Naive states of the model written against the 0.1 step API (hand-written footprints) at
  // 5909b3b; the language port has exactly these with the compiler's reductions off.
  const VARIANTS = ['v5.0-rc4', 'pre-9a1ea439', 'iomap-fixed', 'pre-9a1ea439-iomap-fixed', 'v5.17', 'v5.17-iomap-bug'];
  const NAIVE_DEFAULT = [10495, 7707, 6780, 4865, 1493, 2177];
  const NAIVE_2_FAULTS = [33805, 18085, 17593, 9121, 578, 949];
  const naive = (inst: ReturnType<typeof instantiate>) => {
    const r = explore(inst, { strategy: 'naive', stopAtFirst: false });
    if (r.kind === 'error' || r.kind === 'incomplete') throw new Error(r.kind);
    return r;
  };
  const states = (params: Params, red = NO_REDUCTIONS) =>
    VARIANTS.map((v) => naive(instantiateWith(model, red, v, params)).stats.states);
  test('reductions off, default parameters (1 fault, 2 passes, 1 reader): equal to the 0.1-API model at 5909b3b', () => {
    expect(states({})).toEqual(NAIVE_DEFAULT);
  });
  test('reductions off, 2 faults and no reader: equal to the 0.1-API model at 5909b3b', () => {
    expect(states({ faults: 2, readers: 0 })).toEqual(NAIVE_2_FAULTS);
  });
  test('reductions on: the same verdicts, fewer states (dead-local reset of the reader and the finished migrator)', () => {
    const on = VARIANTS.map((v) => {
      const inst = instantiate(model, v);
      const r = naive(inst);
      expect([v, outcomesOf(inst, r)]).toEqual([v, inst.expect]);
      return r.stats.states;
    });
    // The liveness analysis (beyond the declared scopes) merges more in v5.0-rc4 and iomap-fixed.
    expect(on).toEqual([9367, 7157, 5976, 4454, 1412, 2049]);
    // Without readers: the migrator's locals at its exit, and what liveness finds dead in the faults.
    expect(states({ faults: 2, readers: 0 }, ALL_REDUCTIONS)).toEqual([30754, 17869, 15774, 8900, 578, 949]);
  });
  test('no step declares a footprint by hand: every step is compiled from structured code', () => {
    for (const t of instantiate(model, 'pre-9a1ea439').program.threads)
      for (const st of t.steps) expect(st).toHaveProperty('chain');
  });
  test("iomap-fixed: after a migration B's private data owns B's reference, A's was put", () => {
    const ends = [...sharedStates(instantiate(model, 'iomap-fixed', { faults: 0, readers: 0 })).terminal].map(
      (j) => JSON.parse(j) as S,
    );
    expect(ends.map((e) => [e.mig.outcome, e.folios.B.ref, e.folios.B.privateRef, e.folios.A.ref])).toEqual([
      ['migrated', 3, true, 0],
    ]);
  });
});
