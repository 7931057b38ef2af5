/**
 * Promela translations of the classic models (models/classic), step for step: each mmcheck step
 * (a lock, an unlock, a load with its branch, a store) is one Promela transition. Where an
 * end-state property reads a thread's locals (readers' `r`, lastzero's scanner), the step that
 * sets the local also copies it to a global the end check reads (init cannot read another
 * process's locals without remote references); the copy is a function of the local, so the state
 * space is the same. Constants are the mmcheck models' own (SIZE, MAX, NUMBLOCKS, NUMINODE).
 */
import { MAX, SIZE } from '../../models/classic/indexer.js';
import { NUMBLOCKS, NUMINODE } from '../../models/classic/filesystem.js';
import { LOCK_MISUSE, andThen, spinLock, spinUnlock, split } from './kernel.js';
import type { PStep, PromelaModel } from './promela.js';

const many = (n: number, proc: string) => Array.from({ length: n }, () => ({ proc }));
const base = { defines: ['NOBODY 255'], init: '', invariants: [], assertions: [] as string[] };

/** A counting loop over an array, for end checks (init's scratch locals k, cnt). */
const countIf = (len: string | number, cond: string) =>
  `k = 0; cnt = 0; do :: k < ${len} -> if :: ${cond} -> cnt++ :: else -> skip fi; k++ :: else -> break od`;

export function readers(n: number): PromelaModel {
  return {
    ...base,
    comment: `readers, n = ${n}: writer x = 42; reader k: r = x (r copied to the global r[k] for the end check)`,
    globals: ['byte x', `byte r[${n + 1}] = 255`],
    threads: [{ proc: 'writer' }, ...many(n, 'reader')],
    procs: [
      { name: 'writer', locals: [], steps: [{ label: 'writer: x = 42', branches: [{ body: 'x = 42' }] }] },
      { name: 'reader', locals: [], steps: [{ label: 'reader: r = x', branches: [{ body: 'r[TID] = x' }] }] },
    ],
    initLocals: ['byte k', 'bit ok'],
    ends: [
      {
        name: 'reads-consistent',
        pre: `ok = 1; k = 1; do :: k < NT -> ok = ok && (r[k] == 0 || r[k] == 42); k++ :: else -> break od`,
        holds: 'x == 42 && ok',
      },
    ],
  };
}

export function lastzero(n: number): PromelaModel {
  const scan: PStep = {
    label: 'thread0: array[i] != 0 ? i-- : stop',
    name: 'scan',
    branches: split('array[i] == 0', { body: 'zi = i; zfound = 1', goto: 'exit' }, { body: 'i--', goto: 'scan' }),
  };
  return {
    ...base,
    comment: `lastzero, n = ${n}: for (i = N; array[i] != 0; i--); and array[j] = array[j-1] + 1 (load, store)`,
    defines: [...base.defines, `N ${n}`],
    globals: ['byte array[N + 1]', 'byte zi', 'bit zfound'],
    threads: [{ proc: 'scanner' }, ...many(n, 'writer')],
    procs: [
      { name: 'scanner', locals: ['byte i = N'], steps: [scan] },
      {
        name: 'writer',
        locals: ['byte v = 255'],
        steps: [
          { label: 'writer: v = array[j-1]', branches: [{ body: 'v = array[TID - 1]' }] },
          { label: 'writer: array[j] = v + 1', branches: [{ body: 'array[TID] = v + 1' }] },
        ],
      },
    ],
    initLocals: ['byte k', 'bit ok'],
    ends: [
      {
        name: 'found-zero',
        pre: 'ok = 1; k = 1; do :: k <= N -> ok = ok && array[k] >= 1 && array[k] <= k; k++ :: else -> break od',
        holds: 'zfound && zi <= N && array[0] == 0 && ok',
      },
    ],
  };
}

export function indexer(n: number): PromelaModel {
  const want = new Map<number, number>();
  for (let t = 0; t < n; t++) for (let m = 1; m <= MAX; m++) want.set(11 * m + t, (want.get(11 * m + t) ?? 0) + 1);
  const counts = [...want].map(([w, c]) => `${countIf('SIZE', `table[k] == ${w}`)}; ok = ok && cnt == ${c}`);
  const steps: PStep[] = [
    { label: 'indexer: lock mutex[h]', name: 'lock', ...spinLock('mutex[h]') },
    {
      label: 'indexer: if table[h] == 0 then table[h] = w',
      branches: split('table[h] == 0', { body: 'table[h] = w' }, { goto: 'unlock_taken' }),
    },
    {
      label: 'indexer: unlock mutex[h] (inserted)',
      name: 'unlock_inserted',
      ...andThen(
        spinUnlock('mutex[h]'),
        split('m >= MAX', { goto: 'exit' }, { body: 'm++; w = 11 * m + TID; h = (7 * w) % SIZE', goto: 'lock' }),
      ),
    },
    {
      label: 'indexer: unlock mutex[h] (slot taken, h = h + 1)',
      name: 'unlock_taken',
      ...andThen(spinUnlock('mutex[h]'), [{ body: 'h = (h + 1) % SIZE', goto: 'lock' }]),
    },
  ];
  return {
    ...base,
    comment: `indexer, n = ${n}: insert w = 11m + t at h = 7w mod ${SIZE} under mutex[h], probing h + 1`,
    defines: [...base.defines, `SIZE ${SIZE}`, `MAX ${MAX}`],
    globals: ['byte mutex[SIZE] = NOBODY', 'byte table[SIZE]'],
    threads: many(n, 'thread'),
    procs: [{ name: 'thread', locals: ['byte m = 1', 'byte w = 11 + TID', 'byte h = (7 * (11 + TID)) % SIZE'], steps }],
    initLocals: ['byte k', 'byte cnt', 'bit ok'],
    ends: [
      {
        name: 'inserted-once',
        pre: `ok = 1; ${counts.join('; ')}; ${countIf('SIZE', 'table[k] != 0')}; ok = ok && cnt == ${n * MAX}`,
        holds: 'ok',
      },
    ],
    assertions: [LOCK_MISUSE],
  };
}

export function filesystem(n: number): PromelaModel {
  const steps: PStep[] = [
    { label: 'filesystem: lock locki[i]', ...spinLock('locki[i]') },
    {
      label: 'filesystem: if inode[i] == 0',
      branches: split('inode[i] == 0', { body: 'b = (2 * i) % NUMBLOCKS' }, { goto: 'unlock_i' }),
    },
    { label: 'filesystem: lock lockb[b]', name: 'lock_b', ...spinLock('lockb[b]') },
    { label: 'filesystem: if !busy[b]', branches: split('busy[b] == 0', {}, { goto: 'unlock_b_busy' }) },
    { label: 'filesystem: busy[b] = 1', branches: [{ body: 'busy[b] = 1' }] },
    { label: 'filesystem: inode[i] = b + 1', branches: [{ body: 'inode[i] = b + 1' }] },
    { label: 'filesystem: unlock lockb[b]', ...andThen(spinUnlock('lockb[b]'), [{ goto: 'unlock_i' }]) },
    {
      label: 'filesystem: unlock lockb[b] (busy, b = b + 1)',
      name: 'unlock_b_busy',
      ...andThen(spinUnlock('lockb[b]'), [{ body: 'b = (b + 1) % NUMBLOCKS', goto: 'lock_b' }]),
    },
    { label: 'filesystem: unlock locki[i]', name: 'unlock_i', ...spinUnlock('locki[i]') },
  ];
  // Every thread's inode has a block marked busy; per block, at most one inode has it and a busy block has one.
  const touched = [...new Set(Array.from({ length: n }, (_, t) => t % NUMINODE))];
  const threadsOk = touched.map((i) => `inode[${i}] != 0 && busy[inode[${i}] - 1] == 1`).join(' && ');
  return {
    ...base,
    comment: `filesystem, n = ${n}: lock locki[i]; probe lockb[b] from 2i mod ${NUMBLOCKS} for a free block`,
    defines: [...base.defines, `NUMBLOCKS ${NUMBLOCKS}`, `NUMINODE ${NUMINODE}`],
    globals: [
      'byte locki[NUMINODE] = NOBODY',
      'byte inode[NUMINODE]',
      'byte lockb[NUMBLOCKS] = NOBODY',
      'byte busy[NUMBLOCKS]',
    ],
    threads: many(n, 'thread'),
    procs: [{ name: 'thread', locals: ['byte i = TID % NUMINODE', 'byte b = 255'], steps }],
    initLocals: ['byte k', 'byte cnt', 'byte bb', 'bit ok'],
    ends: [
      {
        name: 'blocks-allocated',
        pre: `ok = 1; bb = 0; do :: bb < NUMBLOCKS -> ${countIf('NUMINODE', 'inode[k] == bb + 1')}; ok = ok && cnt <= 1 && (busy[bb] == 0 || cnt == 1); bb++ :: else -> break od`,
        holds: `ok && ${threadsOk}`,
      },
    ],
    assertions: [LOCK_MISUSE],
  };
}

export function philosophers(variant: string, n: number): PromelaModel {
  const ordered = variant === 'ordered';
  const steps: PStep[] = [
    { label: 'philosopher: lock first fork', ...spinLock('fork[first]') },
    { label: 'philosopher: lock second fork', ...spinLock('fork[second]') },
    { label: 'philosopher: unlock second fork', ...spinUnlock('fork[second]') },
    { label: 'philosopher: unlock first fork', ...spinUnlock('fork[first]') },
  ];
  const forks = (i: number) => {
    const [l, r] = [i, (i + 1) % n];
    return ordered && i === n - 1 ? `${Math.min(l, r)}, ${Math.max(l, r)}` : `${l}, ${r}`;
  };
  return {
    ...base,
    comment: `philosophers/${variant}, n = ${n}: lock first fork, lock second, unlock second, unlock first`,
    globals: [`byte fork[${n}] = NOBODY`],
    threads: Array.from({ length: n }, (_, i) => ({ proc: 'phil', args: forks(i) })),
    procs: [{ name: 'phil', params: 'byte first; byte second', locals: [], steps }],
    ends: [],
    assertions: [LOCK_MISUSE],
  };
}

export function peterson(variant: string): PromelaModel {
  const enter: PStep = { label: 'critical: enter', branches: [{ body: 'incs++' }] };
  const leave: PStep = { label: 'critical: leave', branches: [{ body: 'incs--' }] };
  const steps: PStep[] =
    variant === 'no-turn'
      ? [
          { label: 'no-turn: read flag[other]', branches: split('flag[1 - TID] == 0', {}, { goto: 'exit' }) },
          { label: 'no-turn: flag[me] = 1', branches: [{ body: 'flag[TID] = 1' }] },
          enter,
          leave,
          { label: 'no-turn: flag[me] = 0', branches: [{ body: 'flag[TID] = 0' }] },
        ]
      : [
          { label: 'peterson: flag[me] = 1', branches: [{ body: 'flag[TID] = 1' }] },
          { label: 'peterson: turn = other', branches: [{ body: 'turn = 1 - TID' }] },
          {
            label: 'peterson: await !flag[other] || turn == me',
            guard: 'flag[1 - TID] == 0 || turn == TID',
            branches: [{}],
          },
          enter,
          leave,
          { label: 'peterson: flag[me] = 0', branches: [{ body: 'flag[TID] = 0' }] },
        ];
  return {
    ...base,
    comment: `peterson/${variant}: flags${variant === 'no-turn' ? '' : ' and turn'}, critical section counter incs`,
    globals: ['byte flag[2]', 'byte turn', 'byte incs'],
    threads: many(2, 'P'),
    procs: [{ name: 'P', locals: [], steps }],
    invariants: [{ name: 'mutual-exclusion', holds: 'incs <= 1' }],
    ends: [],
  };
}
