import { LOCK_MISUSE } from '../../kernel/spinlock.js';
import type { Ctx } from '../context.js';
import { int, tid } from '../domain.js';
import { unit, type Ref } from '../layout.js';

/**
 * A reader-writer semaphore in a layout (one location: the count and the writer), and its
 * operations for step bodies, as src/kernel/rwsem.ts: down_read waits while a writer holds it,
 * down_write while anyone holds it.
 */
export const rwsemSpec = () => unit({ readers: int(0, 31), writer: tid() });

export interface RwSemRefs {
  readonly readers: Ref<number>;
  readonly writer: Ref<number>;
}

const cls = (r: RwSemRefs) => r.readers.loc;

export function downRead<L>(c: Ctx<L>, r: RwSemRefs): void {
  c.lockOp({ op: 'acquire', cls: cls(r), inst: cls(r), read: true });
  c.touch(r.readers);
  c.await(c.get(r.writer) === -1);
  c.set(r.readers, c.get(r.readers) + 1);
}

export function upRead<L>(c: Ctx<L>, r: RwSemRefs): void {
  c.lockOp({ op: 'release', cls: cls(r), inst: cls(r) });
  c.touch(r.readers);
  const n = c.get(r.readers);
  if (n === 0) c.bug(LOCK_MISUSE, `up_read(${cls(r)}) without a reader`);
  c.set(r.readers, n - 1);
}

/** down_write: sleeps while anyone holds the semaphore, then owns it. */
export function downWrite<L>(c: Ctx<L>, r: RwSemRefs): void {
  c.lockOp({ op: 'acquire', cls: cls(r), inst: cls(r) });
  c.touch(r.writer);
  c.await(c.get(r.writer) === -1 && c.get(r.readers) === 0);
  c.set(r.writer, c.tid);
}

export function upWrite<L>(c: Ctx<L>, r: RwSemRefs): void {
  c.lockOp({ op: 'release', cls: cls(r), inst: cls(r) });
  c.touch(r.writer);
  if (c.get(r.writer) !== c.tid) c.bug(LOCK_MISUSE, `up_write(${cls(r)}) by a thread that does not hold it`);
  c.set(r.writer, -1);
}
