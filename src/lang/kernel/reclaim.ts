import { FS_RECLAIM } from '../../kernel/reclaim.js';
import { step, type Block, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import { upRead } from './rwsem.js';
import { downReadFair, type FairRwSemRefs } from './rwsem-fair.js';

export { FS_RECLAIM };

/**
 * fs_reclaim (mm/page_alloc.c @ v4.14) for step bodies, as src/kernel/reclaim.ts: a lockdep map,
 * not a lock. fs_reclaim_acquire(gfp) is lock_map_acquire(&__fs_reclaim_map) when the allocation
 * may recurse into the filesystem; prepare_alloc_pages acquires and releases it at once (every
 * such allocation might reclaim), __perform_reclaim holds it across try_to_free_pages. Nothing
 * waits on it: these operations touch no shared state and only tell the lock-order analysis that
 * the thread is (or might be) in reclaim.
 */
export const fsReclaimAcquire = <L>(c: Ctx<L>): void => c.lockOp({ op: 'acquire', cls: FS_RECLAIM });

export const fsReclaimRelease = <L>(c: Ctx<L>): void => c.lockOp({ op: 'release', cls: FS_RECLAIM });

/** prepare_alloc_pages: fs_reclaim_acquire + fs_reclaim_release in one step (the might-reclaim annotation). */
export function fsReclaimMight<L>(c: Ctx<L>): void {
  fsReclaimAcquire(c);
  fsReclaimRelease(c);
}

/**
 * `who` reclaiming a file page directly: __perform_reclaim holds fs_reclaim across the reclaim,
 * whose rmap_walk_file (mm/rmap.c @ v4.14) takes the mapping's i_mmap_rwsem for read (a fair
 * rwsem: it queues behind a waiting writer) and runs `visit` on the VMAs it finds.
 */
export const reclaimFilePage = <L>(who: string, i_mmap: FairRwSemRefs, visit: Block<L> = []): Node<L>[] => [
  step<L>(`${who}: __perform_reclaim: fs_reclaim_acquire`, fsReclaimAcquire),
  step<L>(`${who}: rmap_walk_file: i_mmap_lock_read`, (c) => downReadFair(c, i_mmap), { cost: 'lock' }),
  ...visit,
  step<L>(`${who}: rmap_walk_file: i_mmap_unlock_read`, (c) => upRead(c, i_mmap)),
  step<L>(`${who}: __perform_reclaim: fs_reclaim_release`, fsReclaimRelease),
];
