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
import { reads, writes } from '../../src/core/access.js';
import { defineModel } from '../../src/core/model.js';
import { load, store } from '../../src/core/ops.js';
import { invariant } from '../../src/core/property.js';
import type { Step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';

interface S {
  readonly flag: readonly number[];
  readonly turn: number;
  readonly incs: number;
}
interface L {
  readonly other: number;
}

const mutualExclusion = invariant<S>(
  'mutual-exclusion',
  'At most one thread is in the critical section.',
  ['incs'],
  (v) => (v.s.incs > 1 ? `both threads are in the critical section (incs = ${v.s.incs})` : null),
);

/** Wait until flag[other] == 0 || turn == me: one atomic guarded step reading both. */
const awaitEntry: Step<S, L> = {
  label: 'peterson: await !flag[other] || turn == me',
  guard: (s, l, tid) => s.flag[l.other] === 0 || s.turn === tid,
  footprint: (_s, l) => reads(`flag[${l.other}]`, 'turn'),
  run: () => ({}),
};

const enter: Step<S, L> = {
  label: 'critical: enter',
  footprint: () => writes('incs'),
  run: (s) => ({ s: { ...s, incs: s.incs + 1 } }),
};
const leave: Step<S, L> = {
  label: 'critical: leave',
  footprint: () => writes('incs'),
  run: (s) => ({ s: { ...s, incs: s.incs - 1 } }),
};

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
    const steps = (): Step<S, L>[] =>
      o.useTurn
        ? [
            store<L>(
              'peterson: flag[me] = 1',
              (_l, tid) => ['flag', tid],
              () => 1,
            ),
            store<L>('peterson: turn = other', ['turn'], (l) => l.other),
            awaitEntry,
            enter,
            leave,
            store<L>(
              'peterson: flag[me] = 0',
              (_l, tid) => ['flag', tid],
              () => 0,
            ),
          ]
        : [
            load<L>(
              'no-turn: read flag[other]',
              (l) => ['flag', l.other],
              (_l, v) => (v === 0 ? {} : { goto: 'exit' }),
            ),
            store<L>(
              'no-turn: flag[me] = 1',
              (_l, tid) => ['flag', tid],
              () => 1,
            ),
            enter,
            leave,
            store<L>(
              'no-turn: flag[me] = 0',
              (_l, tid) => ['flag', tid],
              () => 0,
            ),
          ];
    return {
      init: { flag: [0, 0], turn: 0, incs: 0 } as S,
      threads: [thread<S, L>('P0', { other: 1 }, steps()), thread<S, L>('P1', { other: 0 }, steps())],
      properties: [mutualExclusion],
    };
  },
});
