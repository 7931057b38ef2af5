import { writes } from '../core/access.js';
import { getIn, locOf, setIn, type Path } from '../core/path.js';
import type { ShowRule } from '../core/show.js';
import type { StepSpec } from '../core/step.js';
import { LOCK_MISUSE, lockOp } from './spinlock.js';

/**
 * A read-write semaphore (i_mmap_rwsem, mmap_lock): `readers` count and `writer` thread id (-1
 * if none). down_read blocks while a writer holds it; down_write blocks while anyone holds it.
 * Every operation writes the semaphore word, so acquisitions race with each other.
 */
export interface RwSem {
  readonly readers: number;
  readonly writer: number;
}

export const rwsem = (): RwSem => ({ readers: 0, writer: -1 });

const word = (path: Path) => writes(locOf(path));
const sem = (s: unknown, path: Path) => getIn(s, path) as RwSem;
const update = <S>(s: S, path: Path, f: (r: RwSem) => RwSem) => setIn(s, path, f(sem(s, path)));
const misuse = (message: string) => ({ violation: { property: LOCK_MISUSE, message } });

export function downRead<L>(path: Path, cls?: string): StepSpec<any, L> {
  return {
    lock: lockOp('acquire', path, cls, { read: true }),
    cost: 'lock',
    guard: (s) => sem(s, path).writer === -1,
    footprint: () => word(path),
    run: (s) => ({ s: update(s, path, (r) => ({ ...r, readers: r.readers + 1 })) }),
  };
}

export function upRead<L>(path: Path, cls?: string): StepSpec<any, L> {
  return {
    lock: lockOp('release', path, cls),
    footprint: () => word(path),
    run: (s) =>
      sem(s, path).readers === 0
        ? misuse(`up_read(${locOf(path)}) without a reader`)
        : { s: update(s, path, (r) => ({ ...r, readers: r.readers - 1 })) },
  };
}

export function downWrite<L>(path: Path, cls?: string): StepSpec<any, L> {
  return {
    lock: lockOp('acquire', path, cls),
    cost: 'lock',
    guard: (s) => sem(s, path).writer === -1 && sem(s, path).readers === 0,
    footprint: () => word(path),
    run: (s, _l, tid) => ({ s: update(s, path, (r) => ({ ...r, writer: tid })) }),
  };
}

export function upWrite<L>(path: Path, cls?: string): StepSpec<any, L> {
  return {
    lock: lockOp('release', path, cls),
    footprint: () => word(path),
    run: (s, _l, tid) =>
      sem(s, path).writer !== tid
        ? misuse(`up_write(${locOf(path)}) by a thread that does not hold it`)
        : { s: update(s, path, (r) => ({ ...r, writer: -1 })) },
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)

/** How reports show a rwsem at `path` (`i_mmap_rwsem`): the writer by thread name. */
export const rwsemShow = (path: string, name = path): ShowRule[] => [
  { path: `${path}.writer`, name: `${name} (write)`, as: 'owner' },
  { path: `${path}.readers`, name: `${name} readers` },
];
