import { step, type Block, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import { int, tid } from '../domain.js';
import { unit, type Ref } from '../layout.js';
import { upWrite, type RwSemRefs } from './rwsem.js';

/**
 * A read-write semaphore with the kernel's writer fairness (kernel/locking/rwsem-xadd.c @
 * v4.14), as src/kernel/rwsem-fair.ts: a down_read that finds a writer queued sleeps behind it,
 * even while the semaphore is only read-held (rwsem_down_read_failed queues the reader and wakes
 * only the front waiter, here the writer). down_write is two steps: join the wait queue
 * (`queued`), then own the semaphore once it is free. upRead and upWrite of ./rwsem.ts work on
 * this shape too. One location: the count, the owner and the queue.
 */
export const fairRwsemSpec = () => unit({ readers: int(0, 31), writer: tid(), queued: int(0, 31) });

export interface FairRwSemRefs extends RwSemRefs {
  /** Writers queued in down_write, not yet owning. */
  readonly queued: Ref<number>;
}

const cls = (r: FairRwSemRefs) => r.readers.loc;

/** down_read: sleeps while a writer owns the semaphore or waits for it. */
export function downReadFair<L>(c: Ctx<L>, r: FairRwSemRefs): void {
  c.lockOp({ op: 'acquire', cls: cls(r), inst: cls(r), read: true });
  c.touch(r.readers);
  c.await(c.get(r.writer) === -1 && c.get(r.queued) === 0);
  c.set(r.readers, c.get(r.readers) + 1);
}

/** down_write, first half: rwsem_acquire (lockdep) and joining the wait queue. */
export function downWriteQueue<L>(c: Ctx<L>, r: FairRwSemRefs): void {
  c.lockOp({ op: 'acquire', cls: cls(r), inst: cls(r) });
  c.touch(r.queued);
  c.set(r.queued, c.get(r.queued) + 1);
}

/** down_write, second half: sleeps until no reader or writer owns it, then owns it. */
export function downWriteOwn<L>(c: Ctx<L>, r: FairRwSemRefs): void {
  c.touch(r.writer);
  c.await(c.get(r.writer) === -1 && c.get(r.readers) === 0);
  c.set(r.writer, c.tid);
  c.set(r.queued, c.get(r.queued) - 1);
}

/** down_write as its two steps, `<at>: down_write(<name>) queues` (a lock acquisition) and `<at>: owns <name>`. */
export const downWriteFairSteps = <L>(at: string, name: string, r: FairRwSemRefs): Node<L>[] => [
  step<L>(`${at}: down_write(${name}) queues`, (c) => downWriteQueue(c, r), { cost: 'lock' }),
  step<L>(`${at}: owns ${name}`, (c) => downWriteOwn(c, r)),
];

/** `fn`'s i_mmap_lock_write … i_mmap_unlock_write (include/linux/fs.h) around `body`: i_mmap_rwsem is fair. */
export const iMmapLockWrite = <L>(fn: string, r: FairRwSemRefs, body: Block<L>): Node<L>[] => [
  ...downWriteFairSteps<L>(`${fn}: i_mmap_lock_write`, 'i_mmap_rwsem', r),
  ...body,
  step<L>(`${fn}: i_mmap_unlock_write`, (c) => upWrite(c, r)),
];
