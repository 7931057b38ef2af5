import { writes } from '../core/access.js';
import { getIn, locOf, setIn, type Path } from '../core/path.js';
import type { StepSpec } from '../core/step.js';
import { lockOp } from './spinlock.js';

import type { ShowRule } from '../core/show.js';
/**
 * A read-write semaphore with the kernel's writer fairness: a down_read that finds a writer
 * queued sleeps behind it, even while the semaphore is only read-held (4.14 rwsem-xadd:
 * rwsem_down_read_failed queues the reader and wakes only the front waiter, here the writer).
 * down_write is two steps: join the wait queue (`queued`), then take the semaphore once it is
 * free. up_read/up_write of src/kernel/rwsem.ts work on this shape too.
 */
export interface FairRwSem {
  readonly readers: number;
  readonly writer: number;
  /** Writers queued in down_write, not yet owning. */
  readonly queued: number;
}

export const fairRwsem = (): FairRwSem => ({ readers: 0, writer: -1, queued: 0 });

const word = (path: Path) => writes(locOf(path));
const sem = (s: unknown, path: Path) => getIn(s, path) as FairRwSem;
const update = <S>(s: S, path: Path, f: (r: FairRwSem) => FairRwSem) => setIn(s, path, f(sem(s, path)));

/** down_read: blocks while a writer owns the semaphore or waits for it. */
export function downReadFair<L>(path: Path, cls?: string): StepSpec<any, L> {
  return {
    lock: lockOp('acquire', path, cls, { read: true }),
    cost: 'lock',
    guard: (s) => sem(s, path).writer === -1 && sem(s, path).queued === 0,
    footprint: () => word(path),
    run: (s) => ({ s: update(s, path, (r) => ({ ...r, readers: r.readers + 1 })) }),
  };
}

/** down_write, first half: rwsem_acquire (lockdep) and joining the wait queue. */
export function downWriteQueue<L>(path: Path, cls?: string): StepSpec<any, L> {
  return {
    lock: lockOp('acquire', path, cls),
    cost: 'lock',
    footprint: () => word(path),
    run: (s) => ({ s: update(s, path, (r) => ({ ...r, queued: r.queued + 1 })) }),
  };
}

/** down_write, second half: sleeps until no reader or writer owns it, then owns it. */
export function downWriteOwn<L>(path: Path): StepSpec<any, L> {
  return {
    guard: (s) => sem(s, path).writer === -1 && sem(s, path).readers === 0,
    footprint: () => word(path),
    run: (s, _l, tid) => ({ s: update(s, path, (r) => ({ ...r, writer: tid, queued: r.queued - 1 })) }),
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)

/** How reports show a fair rwsem at `path`: the owner by thread name, readers and queued writers. */
export const fairRwsemShow = (path: string, name = path): ShowRule[] => [
  { path: `${path}.writer`, name: `${name} (write)`, as: 'owner' },
  { path: `${path}.readers`, name: `${name} readers` },
  { path: `${path}.queued`, name: `${name} writers queued` },
];
