import { describe, expect, test } from '@jest/globals';
import { PTE_NONE } from '../../../src/kernel/pte.js';
import { explore } from '../../../src/explore/explore.js';
import { exit, loop, thread } from '../../../src/lang/index.js';
import { filePageLayout, filePageRefs } from '../../../src/lang/kernel/migrate.js';
import { migrationProperties } from '../../../src/lang/kernel/migrate-checks.js';
import { shmemReadFault, type FaultLocals } from '../../../src/lang/kernel/shmem-fault.js';
import { langProgram } from '../helpers.js';

const L0: FaultLocals = { f: 'A', orig: PTE_NONE, nopage: false };

/** One reader faulting once on mm0's PTE of a page cached as `cache` (null: a hole). */
function faultOnce(cache: string | null) {
  const shared = filePageLayout(['A', 'B', 'C'], 'shmem', 1);
  const r = filePageRefs(shared);
  const o = { mapping: 'shmem', recheckPteNone: false, fresh: 'C' };
  return langProgram(() => ({
    layout: shared,
    init: shared.state({
      folios: { A: { ref: cache ? 1 : 0, mapping: cache ? 'shmem' : null }, C: { ref: 0 } },
      cache: [cache],
    }),
    threads: [thread<FaultLocals>('reader0', L0, [loop([shmemReadFault(r, 0, o, L0, exit())])])],
    properties: migrationProperties('A', 'B', 'C', 0).filter((p) => p.kind === 'invariant'),
    observes: {},
  }));
}

describe('the shmem read fault (v6.10) on a none PTE', () => {
  test('finds the cached folio, locks it, maps it: the lookup reference becomes the PTE', () => {
    const r = explore(faultOnce('A'), { strategy: 'dfs', stopAtFirst: false });
    expect(r.kind).toBe('pass');
    if (r.kind !== 'pass') return;
    // handle_pte_fault, xas_load, folio_try_get_rcu, xas_reload, folio_lock, mapping check,
    // PTL, set_pte_range, unlock PTL, folio_unlock, VM_FAULT_NOPAGE? (no): 11 steps, one path;
    // the PTL section (lock, set_pte_range, unlock) is one merged step (docs/lang-reductions.md): 9.
    expect(r.stats.states).toBe(10);
  });
  test('a hole: shmem allocates a new zero-filled folio and the fault maps it (no-zero-fill)', () => {
    const r = explore(faultOnce(null), { strategy: 'bfs', properties: ['no-zero-fill'] });
    expect(r.kind === 'violation' && r.violation.property).toBe('no-zero-fill');
    if (r.kind !== 'violation') return;
    expect(r.violation.trace.steps.map((s) => s.label)).toContain('shmem_alloc_and_add_folio: new folio in the hole');
  });
});
