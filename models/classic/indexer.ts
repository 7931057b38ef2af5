/**
 * Indexer (Flanagan & Godefroid, "Dynamic partial-order reduction", POPL 2005).
 *
 * N threads insert messages into a shared hash table of SIZE = 128 slots with open addressing.
 * Thread t inserts MAX = 4 messages: for m = 1..4 it computes w = 11m + t and h = (7w) mod 128,
 * then tries a compare-and-swap of table[h] from 0 to w under a per-slot mutex: lock mutex[h];
 * if table[h] == 0 then table[h] = w (one test-and-set step under the lock); unlock mutex[h].
 * When the slot was taken, it retries at h = (h + 1) mod 128 after the unlock. One step per lock,
 * per test-and-set and per unlock; the local arithmetic is folded into the unlock step.
 *
 * With few threads the hashes of different threads never collide, so every step of one thread
 * is independent of every step of the others: the naive search explores (3·4 + 1)^N states,
 * the reduced search one interleaving. From N = 12 on, messages and slots start to collide.
 *
 * End-state property `inserted-once`: the table holds every message exactly once (as a multiset:
 * from N = 12 on, two threads may produce the same w). `lock-misuse` (unlocking a mutex the
 * thread does not hold) is checked too. Both hold.
 */
import { endState } from '../../src/core/property.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import {
  array,
  defineModel,
  exit,
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

export const SIZE = 128;
export const MAX = 4;
/** Threads the layout allows (messages are at most 11·MAX + 15). */
const MAX_THREADS = 16;

interface L {
  /** Message number 1..MAX. */
  readonly m: number;
  readonly w: number;
  readonly h: number;
}

const message = (m: number, t: number) => 11 * m + t;
const hash = (w: number) => (7 * w) % SIZE;
const start = (m: number, t: number): L => ({ m, w: message(m, t), h: hash(message(m, t)) });

const shared = layout({
  mutex: array(SIZE, tid()),
  table: array(SIZE, int(0, message(MAX, MAX_THREADS - 1))),
});
const { mutex, table } = shared.refs;

const insertedOnce = endState<typeof shared.defaults>(
  'inserted-once',
  'At the end the table holds every message w = 11m + t exactly once.',
  (v) => {
    const want = new Map<number, number>();
    for (let t = 0; t < v.threads.length; t++)
      for (let m = 1; m <= MAX; m++) want.set(message(m, t), (want.get(message(m, t)) ?? 0) + 1);
    const got = new Map<number, number>();
    for (const w of v.s.table) if (w !== 0) got.set(w, (got.get(w) ?? 0) + 1);
    for (const [w, c] of want)
      if ((got.get(w) ?? 0) !== c) return `message ${w} is in the table ${got.get(w) ?? 0} times, expected ${c}`;
    for (const [w, c] of got) if (!want.has(w)) return `the table holds ${w} (${c} times), which no thread sent`;
    return null;
  },
);

/** Insert messages 1..MAX; the next message's arithmetic is folded into the unlock. */
const indexer: Block<L> = [
  loop([
    label('lock'),
    step('indexer: lock mutex[h]', (c) => spinLock(c, mutex.at(c.l.h))),
    when(
      'indexer: if table[h] == 0 then table[h] = w',
      (c) => {
        if (c.get(table.at(c.l.h)) !== 0) return false;
        c.set(table.at(c.l.h), c.l.w);
        return true;
      },
      [
        label('unlock-inserted'),
        when(
          'indexer: unlock mutex[h] (inserted)',
          (c) => {
            spinUnlock(c, mutex.at(c.l.h));
            if (c.l.m >= MAX) return true;
            c.let(start(c.l.m + 1, c.tid));
            return false;
          },
          [exit()],
        ),
      ],
      [
        label('unlock-taken'),
        step('indexer: unlock mutex[h] (slot taken, h = h + 1)', (c) => {
          spinUnlock(c, mutex.at(c.l.h));
          c.let({ h: (c.l.h + 1) % SIZE });
        }),
      ],
    ),
  ]),
];

export default defineModel({
  name: 'indexer',
  title: 'Indexer: N threads insert into a hash table with per-slot mutexes',
  story:
    'Each thread inserts 4 messages w = 11m + t at h = 7w mod 128, compare-and-swapping table[h] from 0 ' +
    'under mutex[h] and probing h + 1 when the slot is taken. Few threads never collide, so nearly all ' +
    'interleavings are equivalent: the classic showcase for dynamic partial-order reduction.',
  params: { n: { default: 4, min: 1, max: MAX_THREADS, doc: 'number of inserting threads' } },
  options: {},
  variants: {
    indexer: { doc: 'CAS of table[h] under mutex[h], linear probing on failure.', options: {}, expect: {} },
  },
  build: (_o, p) => ({
    layout: shared,
    threads: Array.from({ length: p.n }, (_, t) => thread<L>(`thread${t}`, start(1, t), indexer)),
    properties: [insertedOnce, lockMisuse],
    observes: {},
  }),
});
