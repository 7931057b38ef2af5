/**
 * Peterson's mutual exclusion for two threads.
 *
 * Each thread sets its flag, gives the turn away, then waits until the other's flag is clear
 * or the turn is its own; it enters the critical section (a shared counter `incs`), leaves it
 * and clears its flag. Without `turn` (variant `no-turn`) the wait is only on the other flag:
 * both can raise their flags and wait for each other forever — a deadlock, since waiting is a
 * guard — or, when the wait is skipped, both may enter. Here the no-turn variant tests the flag
 * once and enters if it is clear (the classic broken "check then enter"), so mutual exclusion
 * fails.
 */
import { invariant } from '../../src/core/property.js';
import { array, bit, defineModel, exit, int, layout, step, thread, when, type Block } from '../../src/lang/index.js';

interface L {
  readonly other: number;
}

const shared = layout({ flag: array(2, bit()), turn: int(0, 1), incs: int(0, 2) });
const { flag, turn, incs } = shared.refs;

const mutualExclusion = invariant<typeof shared.defaults>(
  'mutual-exclusion',
  'At most one thread is in the critical section.',
  ['incs'],
  (v) => (v.s.incs > 1 ? `both threads are in the critical section (incs = ${v.s.incs})` : null),
);

const critical: Block<L> = [
  step('critical: enter', (c) => c.set(incs, c.get<number>(incs) + 1)),
  step('critical: leave', (c) => c.set(incs, c.get<number>(incs) - 1)),
];

const peterson: Block<L> = [
  step('peterson: flag[me] = 1', (c) => c.set(flag.at(c.tid), 1)),
  step('peterson: turn = other', (c) => c.set(turn, c.l.other)),
  // Wait until flag[other] == 0 || turn == me: one atomic guarded step reading both.
  step('peterson: await !flag[other] || turn == me', (c) => {
    const f = c.get(flag.at(c.l.other));
    const t = c.get(turn);
    c.await(f === 0 || t === c.tid);
  }),
  ...critical,
  step('peterson: flag[me] = 0', (c) => c.set(flag.at(c.tid), 0)),
];

const noTurn: Block<L> = [
  when('no-turn: read flag[other]', (c) => c.get(flag.at(c.l.other)) === 0, [], [exit()]),
  step('no-turn: flag[me] = 1', (c) => c.set(flag.at(c.tid), 1)),
  ...critical,
  step('no-turn: flag[me] = 0', (c) => c.set(flag.at(c.tid), 0)),
];

export default defineModel({
  name: 'peterson',
  title: "Peterson's mutual exclusion (2 threads)",
  story: 'Two threads enter a critical section with flags and a turn variable; without turn, mutual exclusion fails.',
  params: {},
  options: { useTurn: true },
  variants: {
    peterson: { doc: 'flag[me] = 1; turn = other; await !flag[other] || turn == me.', options: {}, expect: {} },
    'no-turn': {
      doc: "flag[me] = 1; if flag[other] is clear, enter: the check and the other thread's store race.",
      options: { useTurn: false },
      expect: { 'mutual-exclusion': 'violated' },
    },
  },
  build: (o) => {
    const body = o.useTurn ? peterson : noTurn;
    return {
      layout: shared,
      threads: [thread<L>('P0', { other: 1 }, body), thread<L>('P1', { other: 0 }, body)],
      properties: [mutualExclusion],
      observes: {},
    };
  },
});
