/**
 * Promela translation of models/kernel/migration-vs-fault.ts, generated for any variant (the
 * variant's option set is read from the mmcheck model itself) and any number of readers.
 *
 * Step for step: each mmcheck step of the migrator and of a reader is one Promela transition
 * (see promela.ts), with the same branches and jumps (`goto` names are the mmcheck pc names).
 * State: the folios A (0), B (1) and, for option 4, the fresh folio C (2) as parallel arrays
 * with `nf` the number of folios that exist; the one PTE as (pte_kind, pte_folio); the PTL; the
 * remote-TLB `stale` flag; i_mmap_rwsem's reader count (its writer never changes: no
 * down_write); the page-cache slot (a folio index or NOF for a hole); the migration outcome.
 * Reader locals: f, orig (kind and folio), nopage. Migrator locals: batch, early, retrying.
 * Properties: the same nine as the model; `no-ref-held-across-migration-wait` and
 * `migration-entry-locked` are inline invariant asserts, the four end-state properties are
 * asserted by init at termination, refcount / folio-lock / lock-misuse are the BUG branches,
 * deadlock freedom is SPIN's invalid end state.
 */
import model from '../../models/kernel/migration-vs-fault.js';
import {
  FOLIO_LOCK,
  LOCK_MISUSE,
  PTE_DEFINES,
  REFCOUNT,
  andThen,
  downRead,
  folioLockOrQueue,
  folioLockSleep,
  folioMapcount,
  folioPut,
  folioQueueIfLocked,
  folioRefFreeze,
  folioTryGet,
  folioUnlock,
  folioWaitUnlocked,
  setPte,
  spinLock,
  spinUnlock,
  split,
  upRead,
  type Spec,
} from './kernel.js';
import type { PStep, PromelaModel } from './promela.js';
import type { Options } from '../../models/kernel/migration-vs-fault.js';

const A = 0;
const B = 1;
const MIGRATOR = 0;
const READD = 'page-cache-readd';

const s = (label: string, spec: Spec, name?: string): PStep => ({ label, name, ...spec });

/** folio_expected_refs (+ option 3's mapping PTE): the count the freeze (or option 4's compare) expects. */
function expectedRefs(o: Options): number {
  if (o.freezeFirst !== 'no') return 3;
  return o.uncache ? 1 : 2;
}

/** shmem_add_to_page_cache(k): a taken slot is option 4's -EEXIST. */
const readd = (k: number): Spec => ({
  branches: [
    { when: 'cache != NOF', bug: READD },
    { when: 'cache == NOF', body: `cache = ${k}; mapping[${k}] = 1; ref[${k}]++` },
  ],
});

function migrator(o: Options, p: Readonly<Record<string, number>>): PStep[] {
  const passes = `(batch == 0 -> ${p.async} : ${p.sync})`;
  const clear: PStep =
    o.clear === 'xchg'
      ? s(
          'try_to_migrate_one: xchg(pte, migration entry)',
          { branches: [{ body: setPte('PTE_MIGRATION', `${A}`) }] },
          'clear',
        )
      : o.clear === 'mkinvalid'
        ? s(
            'try_to_migrate_one: pte_mkinvalid (+flush)',
            { branches: [{ body: setPte('PTE_INVALID', `${A}`) }] },
            'clear',
          )
        : s(
            'try_to_migrate_one: ptep_clear_flush / ptep_get_and_clear',
            {
              branches: [
                {
                  body: `${setPte('PTE_NONE', 'NOF')}; tlb_stale = ${o.deferAsyncFlush ? '(batch == 0 -> 1 : 0)' : '0'}`,
                },
              ],
            },
            'clear',
          );
  // if (!folio_trylock(src)) { if (mode == MIGRATE_ASYNC) goto out; folio_lock(src); }
  const steps: PStep[] = [
    s(
      'migrate_folio_unmap: folio_trylock(src), SYNC: else folio_lock',
      {
        branches: [
          { when: `locked[${A}] == NOBODY`, body: `locked[${A}] = TID`, goto: o.uncache ? 'uncache' : 'locked' },
          // ASYNC: -EAGAIN, nothing to undo; the next pass (the model's next-batch step, inlined:
          // Promela cannot jump to a step the model leaves unnamed).
          { when: `locked[${A}] != NOBODY && batch == 0 && pass + 1 < ${p.async}`, body: 'pass++', goto: 'lock' },
          {
            when: `locked[${A}] != NOBODY && batch == 0 && pass + 1 >= ${p.async}`,
            body: 'batch = 1; pass = 0',
            goto: 'lock',
          },
          { when: `locked[${A}] != NOBODY && batch != 0`, body: `waiters[${A}] = waiters[${A}] | BIT(TID)` },
        ],
      },
      'lock',
    ),
    s('migrate_folio_unmap: folio_lock sleeps', folioLockSleep(`${A}`), 'lock_sleep'),
  ];
  if (o.uncache)
    steps.push(
      s(
        'filemap_remove_folio: option 4 uncaches src',
        { branches: split(`cache != ${A}`, {}, { body: `cache = NOF; mapping[${A}] = 0; ref[${A}]--` }) },
        'uncache',
      ),
    );
  if (o.freezeFirst !== 'no')
    steps.push(
      s(
        'migrate_folio_unmap: option 3 folio_ref_freeze(src, expected + mapcount)',
        folioRefFreeze(`${A}`, expectedRefs(o), 'give_up'),
        'locked',
      ),
    );
  steps.push(
    s('rmap_walk_file: i_mmap_lock_read', downRead('immap'), o.freezeFirst === 'no' ? 'locked' : 'immap'),
    // The PTE maps src whenever the migrator gets here (it holds the folio lock): take the PTL.
    s('try_to_migrate_one: page_vma_mapped_walk takes PTL', spinLock('ptl')),
    clear,
  );
  if (o.clear !== 'xchg')
    steps.push(
      s('try_to_migrate_one: set_pte_at(migration entry)', { branches: [{ body: setPte('PTE_MIGRATION', `${A}`) }] }),
    );
  steps.push(s('try_to_migrate_one: folio_remove_rmap_pte', folioMapcount(`${A}`, -1)));
  if (o.freezeFirst !== 'fold-put') steps.push(s('try_to_migrate_one: folio_put', folioPut(`${A}`)));
  steps.push(
    s('page_vma_mapped_walk: drop PTL', spinUnlock('ptl')),
    s('rmap_walk_file: i_mmap_unlock_read', upRead('immap')),
    s('migrate_pages_batch: try_to_unmap_flush', { branches: [{ body: 'tlb_stale = 0; unmapped = 1' }] }),
  );
  if (o.retryEarly)
    steps.push(
      s(
        'migrate_pages_batch: retry-early folio_ref_count != folio_expected_refs?',
        {
          branches: split(
            `ref[${A}] != ${expectedRefs(o)} && early < ${p.retries}`,
            { body: 'early++; retrying = 1', goto: 'undo' },
            {},
          ),
        },
        'early_check',
      ),
    );
  if (o.freezeFirst === 'no')
    steps.push(
      o.uncache
        ? s(
            'folio_migrate_mapping: !mapping: folio_ref_count(src) == expected?',
            { branches: split(`ref[${A}] == 1`, { goto: 'store' }, {}) },
            'freeze',
          )
        : s(
            'folio_migrate_mapping: xas_lock_irq; folio_ref_freeze(src, expected)',
            { branches: split(`ref[${A}] == 2`, { body: `ref[${A}] = 0`, goto: 'store' }, {}) },
            'freeze',
          ),
      s('migrate_pages_batch: -EAGAIN: another move pass?', {
        local: true,
        branches: split(
          `tries + 1 < ${passes}`,
          { body: 'tries++', goto: 'freeze' },
          { body: 'tries = 0', goto: 'undo' },
        ),
      }),
    );
  steps.push(
    o.uncache
      ? s('shmem_add_to_page_cache: option 4 re-adds dst (-EEXIST if the slot is taken)', readd(B), 'store')
      : s(
          'folio_migrate_mapping: xas_store(dst); folio_ref_unfreeze(src, 1)',
          { branches: [{ body: `cache = ${B}; ref[${B}]++; mapping[${B}] = 1; mapping[${A}] = 0; ref[${A}] = 1` }] },
          'store',
        ),
    s('remove_migration_ptes: PTL (src→dst)', spinLock('ptl')),
    s(
      'remove_migration_pte: set_pte_at(dst); folio_get(dst)',
      {
        branches: split(
          `pte_kind == PTE_MIGRATION && pte_folio == ${A}`,
          { body: `${setPte('PTE_PRESENT', `${B}`)}; ref[${B}]++; mapcount[${B}]++` },
          {},
        ),
      },
      'rm_set',
    ),
    s('remove_migration_ptes: drop PTL', spinUnlock('ptl')),
    s('migrate_folio_move: folio_unlock(dst)', folioUnlock(`${B}`)),
    s('migrate_folio_move: folio_unlock(src)', folioUnlock(`${A}`)),
    s('migrate_folio_move: folio_put(dst)', folioPut(`${B}`)),
    s(
      'migrate_folio_done: folio_put(src) — migrated',
      { branches: [{ body: `ref[${A}]--; mig = MIGRATED`, goto: 'exit' }] },
      'done',
    ),
  );
  // With option 3 a failed freeze gives up before the unmap: nothing to undo.
  if (o.freezeFirst === 'no')
    steps.push(
      s('migrate_folio_undo_src: remove_migration_ptes: PTL', spinLock('ptl'), 'undo'),
      s(
        'remove_migration_pte: set_pte_at(src); folio_get(src)',
        {
          branches: split(
            `pte_kind == PTE_MIGRATION && pte_folio == ${A}`,
            { body: `${setPte('PTE_PRESENT', `${A}`)}; ref[${A}]++; mapcount[${A}]++` },
            {},
          ),
        },
        'undo_set',
      ),
      s('migrate_folio_undo_src: remove_migration_ptes: drop PTL', spinUnlock('ptl')),
    );
  if (o.uncache) steps.push(s('shmem_add_to_page_cache: option 4 undo re-adds src', readd(A)));
  steps.push(
    s('migrate_folio_undo_src: folio_unlock(src)', folioUnlock(`${A}`), 'give_up'),
    s('migrate_pages_sync: next batch?', {
      local: true,
      branches: [
        { when: 'retrying', body: 'retrying = 0; unmapped = 0', goto: 'lock' },
        { when: `!retrying && !unmapped && pass + 1 < ${passes}`, body: 'pass++', goto: 'lock' },
        {
          when: `!retrying && (unmapped || pass + 1 >= ${passes}) && batch == 0`,
          body: 'batch = 1; pass = 0; tries = 0; unmapped = 0',
          goto: 'lock',
        },
        { when: `!retrying && (unmapped || pass + 1 >= ${passes}) && batch != 0` },
      ],
    }),
    s(
      'putback_movable_pages: folio_put(src), free dst — migration failed',
      { branches: [{ body: `ref[${A}]--; ref[${B}]--; locked[${B}] = NOBODY; mig = FAILED` }] },
      'fail',
    ),
  );
  return steps;
}

function reader(o: Options): PStep[] {
  const retry = o.recheckInDoFault ? 'lookup' : 'missing';
  const refault = [{ goto: 'access' }];
  const steps: PStep[] = [
    s(
      'CPU access: TLB hit or hardware walk',
      { branches: split('tlb_stale || pte_kind == PTE_PRESENT', { goto: 'exit' }, {}) },
      'access',
    ),
    s('handle_pte_fault: ptep_get_lockless', {
      branches: [
        { when: 'pte_kind == PTE_NONE', body: 'orig_kind = pte_kind; orig_folio = pte_folio', goto: 'missing' },
        { when: 'pte_kind == PTE_MIGRATION', body: 'orig_kind = pte_kind; orig_folio = pte_folio', goto: 'mew_lock' },
        { when: 'pte_kind == PTE_INVALID', body: 'orig_kind = pte_kind; orig_folio = pte_folio', goto: 'same_lock' },
        { when: 'pte_kind == PTE_PRESENT', body: 'orig_kind = pte_kind; orig_folio = pte_folio', goto: 'exit' },
      ],
    }),
    s('handle_pte_fault: spin_lock(ptl)', spinLock('ptl'), 'same_lock'),
    s('handle_pte_fault: !pte_same → return', { branches: [{}] }),
    s('handle_pte_fault: spin_unlock(ptl); refault', andThen(spinUnlock('ptl'), refault)),
  ];
  if (o.recheckInDoFault)
    steps.push(
      s('do_fault: option 5 spin_lock(ptl)', spinLock('ptl'), 'missing'),
      s('do_fault: option 5 pte_none(ptep_get)?', {
        branches: split('pte_kind == PTE_NONE', {}, { body: 'nopage = 1' }),
      }),
      s(
        'do_fault: option 5 spin_unlock(ptl)',
        andThen(spinUnlock('ptl'), split('nopage', { body: 'nopage = 0', goto: 'access' }, {})),
      ),
    );
  steps.push(
    s(
      'filemap_get_entry: xas_load',
      { branches: split('cache == NOF', { goto: 'hole' }, { body: 'f = cache' }) },
      retry,
    ),
    s('filemap_get_entry: folio_try_get_rcu (zero → repeat)', folioTryGet('f', retry)),
    s('filemap_get_entry: xas_reload', { branches: split('cache == f', { goto: 'lock' }, { goto: 'drop' }) }),
    s('filemap_get_entry: folio_put; repeat', folioPut('f', true), 'drop'),
    s('filemap_get_entry: repeat', { local: true, branches: [{ goto: retry }] }),
    s('shmem_get_folio_gfp: folio_lock', folioLockOrQueue('f', 'locked'), 'lock'),
    s('shmem_get_folio_gfp: folio_lock sleeps', folioLockSleep('f')),
    s(
      'shmem_get_folio_gfp: folio->mapping == mapping?',
      { branches: split('mapping[f] == 1', {}, { goto: 'truncated' }) },
      'locked',
    ),
    s('finish_fault: pte_offset_map_lock', spinLock('ptl')),
    s('finish_fault: vmf_pte_changed? else set_pte_range', {
      branches: split(
        // pte_same(pte, orig): same kind and, unless none, the same folio (a none PTE's folio is always NOF)
        'pte_kind == orig_kind && pte_folio == orig_folio',
        { body: `held[f] = held[f] & ~BIT(TID); mapcount[f]++; ${setPte('PTE_PRESENT', 'f')}` },
        { body: 'nopage = 1' },
      ),
    }),
    s('finish_fault: pte_unmap_unlock', spinUnlock('ptl')),
    s('do_read_fault: folio_unlock', folioUnlock('f')),
    s('do_read_fault: VM_FAULT_NOPAGE → folio_put; refault', {
      branches: [
        ...andThen(folioPut('f', true), [{ body: 'nopage = 0', goto: 'access' }]).branches.map((b) => ({
          ...b,
          when: b.when ? `nopage && (${b.when})` : 'nopage',
        })),
        { when: '!nopage', goto: 'exit' },
      ],
    }),
    s('shmem_get_folio_gfp: truncated → folio_unlock', folioUnlock('f'), 'truncated'),
    s('shmem_get_folio_gfp: folio_put; repeat', { local: true, branches: [{ goto: 'drop' }] }),
    s('migration_entry_wait: pte_offset_map_lock', spinLock('ptl'), 'mew_lock'),
    s('migration_entry_wait: is_migration_entry(ptep_get)?', {
      branches: split('pte_kind == PTE_MIGRATION', { body: 'f = pte_folio' }, { goto: 'mew_out' }),
    }),
    s('migration_entry_wait_on_locked: folio_set_waiters; enqueue', folioQueueIfLocked('f')),
    s('migration_entry_wait_on_locked: spin_unlock(ptl)', spinUnlock('ptl')),
    s('migration_entry_wait_on_locked: sleep until unlocked; refault', andThen(folioWaitUnlocked('f'), refault)),
    s('migration_entry_wait: spin_unlock(ptl); refault', andThen(spinUnlock('ptl'), refault), 'mew_out'),
    s(
      'shmem_alloc_and_add_folio: new folio in the hole',
      {
        branches: split(
          'cache != NOF || nf >= NF',
          { goto: retry },
          {
            body: 'ref[nf] = 2; held[nf] = BIT(TID); locked[nf] = TID; mapping[nf] = 1; cache = nf; f = nf; nf++',
            goto: 'locked',
          },
        ),
      },
      'hole',
    ),
  );
  return steps;
}

/** `cond ? 1 : 0` in Promela. */
const one = (cond: string) => `(${cond} -> 1 : 0)`;

export function migrationVsFault(variant: string, readers: number): PromelaModel {
  const spec = model.variants[variant];
  if (!spec) throw new Error(`migration-vs-fault has no variant '${variant}'`);
  const o = { ...model.options, ...spec.options };
  const p = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, v.default]));
  const nf = 2 + (o.uncache ? 1 : 0);
  const folios = Array.from({ length: nf }, (_, k) => k);
  const cached = (k: number) => `cache == ${k}`;
  const mapped = (k: number) => `(pte_kind == PTE_PRESENT && pte_folio == ${k})`;
  return {
    comment: `migration-vs-fault, variant ${variant}, readers = ${readers} (generated by bench/spin/migration-vs-fault.ts from the mmcheck model's options: ${JSON.stringify(o)})`,
    defines: [
      'NOBODY 255',
      'NOF 255',
      `NF ${nf}`,
      ...PTE_DEFINES,
      'RUNNING 0',
      'MIGRATED 1',
      'FAILED 2',
      'immap_writer NOBODY',
    ],
    globals: [
      'byte ref[NF]',
      'byte held[NF]',
      'byte mapcount[NF]',
      'byte locked[NF] = NOBODY',
      'byte waiters[NF]',
      'bit mapping[NF]',
      'byte nf = 2',
      'byte pte_kind = PTE_PRESENT',
      `byte pte_folio = ${A}`,
      'byte ptl = NOBODY',
      'bit tlb_stale',
      'byte immap_readers',
      `byte cache = ${A}`,
      'byte mig = RUNNING',
    ],
    init: `ref[${A}] = 3; mapcount[${A}] = 1; mapping[${A}] = 1; ref[${B}] = 1; locked[${B}] = ${MIGRATOR}`,
    threads: [{ proc: 'migrator' }, ...Array.from({ length: readers }, () => ({ proc: 'reader' }))],
    procs: [
      {
        name: 'migrator',
        locals: ['byte batch', 'byte pass', 'byte tries', 'bit unmapped', 'byte early', 'bit retrying'],
        steps: migrator(o, p),
      },
      {
        name: 'reader',
        locals: [`byte f = ${A}`, 'byte orig_kind = PTE_NONE', 'byte orig_folio = NOF', 'bit nopage'],
        steps: reader(o),
      },
    ],
    invariants: [
      { name: 'no-zero-fill', holds: 'pte_kind != PTE_PRESENT || pte_folio < 2' },
      { name: 'migration-entry-locked', holds: 'pte_kind != PTE_MIGRATION || locked[pte_folio] != NOBODY' },
      {
        name: 'no-ref-held-across-migration-wait',
        holds: `locked[${A}] != ${MIGRATOR} || (held[${A}] & waiters[${A}]) == 0 || ${mapped(A)}`,
      },
    ],
    ends: [
      { name: 'migration-succeeds', holds: 'mig == MIGRATED' },
      { name: 'no-dangling-migration-entry', holds: 'pte_kind != PTE_MIGRATION' },
      {
        name: 'refcount-balanced',
        holds: folios.map((k) => `(${k} >= nf || ref[${k}] == ${one(cached(k))} + ${one(mapped(k))})`).join(' && '),
      },
      {
        name: 'page-cache-coherent',
        holds: 'pte_kind != PTE_PRESENT || cache == pte_folio',
      },
    ],
    assertions: [REFCOUNT, FOLIO_LOCK, READD, LOCK_MISUSE],
  };
}

export const MIGRATION_VARIANTS = Object.keys(model.variants);
