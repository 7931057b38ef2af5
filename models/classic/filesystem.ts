/**
 * File system (Flanagan & Godefroid, "Dynamic partial-order reduction", POPL 2005), after the
 * block allocation of the Frangipani file system.
 *
 * NUMBLOCKS = 26 blocks and NUMINODE = 32 inodes, each with its own lock. Thread t works on inode
 * i = t mod 32: lock locki[i]; if inode[i] == 0 it searches a free block from b = 2i mod 26:
 * lock lockb[b]; if !busy[b] { busy[b] = 1; inode[i] = b + 1; unlock lockb[b]; done }
 * else { unlock lockb[b]; b = (b + 1) mod 26; retry }; finally unlock locki[i]. Each lock,
 * unlock, load and store is one step; the branch on a loaded value is part of the load.
 *
 * Up to 13 threads start at distinct blocks, so threads touch disjoint locations and one
 * interleaving is enough; from 14 threads on two threads start at the same block and probe.
 *
 * End-state property `blocks-allocated`: no block is allocated to two inodes, every inode a
 * thread touched has a block whose busy bit is set, and every busy block is some inode's.
 * `lock-misuse` is checked too. Both hold.
 */
import { endState } from '../../src/core/property.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import {
  array,
  bit,
  break_,
  defineModel,
  int,
  label,
  layout,
  loop,
  spinLock,
  spinUnlock,
  step,
  thread,
  tid,
  when,
  type Block,
} from '../../src/lang/index.js';

export const NUMBLOCKS = 26;
export const NUMINODE = 32;

interface L {
  readonly i: number;
  /** The block being tried, or -1 before the search. */
  readonly b: number;
}

const shared = layout({
  locki: array(NUMINODE, tid()),
  /** The inode's block + 1, or 0. */
  inode: array(NUMINODE, int(0, NUMBLOCKS)),
  lockb: array(NUMBLOCKS, tid()),
  busy: array(NUMBLOCKS, bit()),
});
const { locki, inode, lockb, busy } = shared.refs;

const blocksAllocated = endState<typeof shared.defaults>(
  'blocks-allocated',
  'No block belongs to two inodes; every inode a thread touched has a block, marked busy; every busy block belongs to an inode.',
  (v) => {
    const owner = new Map<number, number>();
    for (let i = 0; i < v.s.inode.length; i++) {
      const x = v.s.inode[i];
      if (x === 0) continue;
      if (owner.has(x - 1)) return `block ${x - 1} is allocated to inode ${owner.get(x - 1)} and inode ${i}`;
      owner.set(x - 1, i);
    }
    for (const t of v.threads) {
      const i = (t.l as L).i;
      const x = v.s.inode[i];
      if (x === 0) return `${t.name} finished but inode ${i} has no block`;
      if (v.s.busy[x - 1] !== 1) return `inode ${i} has block ${x - 1}, which is not marked busy`;
    }
    for (let b = 0; b < NUMBLOCKS; b++)
      if (v.s.busy[b] === 1 && !owner.has(b)) return `block ${b} is busy but no inode has it`;
    return null;
  },
);

const allocate: Block<L> = [
  step('filesystem: lock locki[i]', (c) => spinLock(c, locki.at(c.l.i))),
  when(
    'filesystem: if inode[i] == 0',
    (c) => c.get(inode.at(c.l.i)) === 0 && (c.let({ b: (2 * c.l.i) % NUMBLOCKS }), true),
    [
      loop([
        label('lock-b'),
        step('filesystem: lock lockb[b]', (c) => spinLock(c, lockb.at(c.l.b))),
        when(
          'filesystem: if !busy[b]',
          (c) => c.get(busy.at(c.l.b)) === 0,
          [
            step('filesystem: busy[b] = 1', (c) => c.set(busy.at(c.l.b), 1)),
            step('filesystem: inode[i] = b + 1', (c) => c.set(inode.at(c.l.i), c.l.b + 1)),
            step('filesystem: unlock lockb[b]', (c) => spinUnlock(c, lockb.at(c.l.b))),
            break_(),
          ],
          [
            label('unlock-b-busy'),
            step('filesystem: unlock lockb[b] (busy, b = b + 1)', (c) => {
              spinUnlock(c, lockb.at(c.l.b));
              c.let({ b: (c.l.b + 1) % NUMBLOCKS });
            }),
          ],
        ),
      ]),
    ],
  ),
  label('unlock-i'),
  step('filesystem: unlock locki[i]', (c) => spinUnlock(c, locki.at(c.l.i))),
];

export default defineModel({
  name: 'filesystem',
  title: 'File system: N threads allocate blocks to inodes under fine-grained locks',
  story:
    'Each thread locks its inode and, if the inode has no block, searches the block bitmap from block 2i mod 26, ' +
    'locking each block, taking the first free one. With few threads all accesses are disjoint, so one ' +
    'interleaving represents all of them.',
  params: { n: { default: 4, min: 1, max: 16, doc: 'number of threads (thread t works on inode t mod 32)' } },
  options: {},
  variants: {
    filesystem: { doc: 'Inode lock, then block locks probed from 2i mod 26.', options: {}, expect: {} },
  },
  build: (_o, p) => ({
    layout: shared,
    threads: Array.from({ length: p.n }, (_, t) => thread<L>(`thread${t}`, { i: t % NUMINODE, b: -1 }, allocate)),
    properties: [blocksAllocated, lockMisuse],
    observes: { locals: ['i'] },
  }),
});
