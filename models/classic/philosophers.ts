/**
 * Dining philosophers.
 *
 * N philosophers sit around a table with one fork between each pair of neighbours. Philosopher
 * i picks up fork i (its left), then fork (i+1) % N (its right), eats, and puts both down. Forks
 * are spinlocks: picking one up blocks (a guard, not a spin loop) while a neighbour holds it.
 *
 * Variant `naive`: everyone takes the left fork first. When every philosopher holds the left
 * fork, each waits forever for the right one — the circular wait of the textbook, reported as a
 * violation of the built-in `deadlock-free` property.
 *
 * Variant `ordered`: the last philosopher takes the lower-numbered fork (fork 0) first, so the
 * forks are acquired in one global order and no cycle of waits can form: deadlock-free holds.
 * Releasing a fork the philosopher does not hold would be reported as `lock-misuse` (holds).
 */
import {
  array,
  defineModel,
  layout,
  spinLock,
  spinUnlock,
  step,
  thread,
  tid,
  type Block,
} from '../../src/lang/index.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';

interface L {
  readonly first: number;
  readonly second: number;
}

export default defineModel({
  name: 'philosophers',
  title: 'Dining philosophers (N philosophers, N forks)',
  story:
    'N philosophers each lock their left fork then their right fork, eat, and unlock both. ' +
    'When all take the left fork first, all can hold one fork and wait for the next forever (deadlock); ' +
    'if the last philosopher takes the lower-numbered fork first, locks are ordered and no deadlock is possible.',
  params: { n: { default: 3, min: 2, max: 8, doc: 'number of philosophers (and forks)' } },
  options: { ordered: false },
  variants: {
    naive: {
      doc: 'Philosopher i locks fork i, then fork (i+1) % N: a circular wait is possible.',
      options: {},
      expect: { 'deadlock-free': 'violated' },
    },
    ordered: {
      doc: 'The last philosopher locks fork 0 before fork N-1: forks are taken in increasing order.',
      options: { ordered: true },
      expect: {},
    },
  },
  build: (o, p) => {
    const n = p.n;
    // Owner of each fork (a philosopher's thread id), or -1 when on the table.
    const shared = layout({ fork: array(n, tid()) });
    const { fork } = shared.refs;
    const philosopher: Block<L> = [
      step('philosopher: lock first fork', (c) => spinLock(c, fork.at(c.l.first))),
      step('philosopher: lock second fork', (c) => spinLock(c, fork.at(c.l.second))),
      step('philosopher: unlock second fork', (c) => spinUnlock(c, fork.at(c.l.second))),
      step('philosopher: unlock first fork', (c) => spinUnlock(c, fork.at(c.l.first))),
    ];
    const threads = [];
    for (let i = 0; i < n; i++) {
      const left = i;
      const right = (i + 1) % n;
      const lr =
        o.ordered && i === n - 1
          ? { first: Math.min(left, right), second: Math.max(left, right) }
          : { first: left, second: right };
      threads.push(thread<L>(`phil${i}`, lr, philosopher));
    }
    return { layout: shared, threads, properties: [lockMisuse], observes: {} };
  },
});
