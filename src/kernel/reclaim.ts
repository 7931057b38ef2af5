import type { StepSpec } from '../core/step.js';

/**
 * fs_reclaim (mm/page_alloc.c, 4.14): a lockdep map, not a lock. fs_reclaim_acquire(gfp) is
 * lock_map_acquire(&__fs_reclaim_map) when the allocation may recurse into the filesystem
 * (__GFP_DIRECT_RECLAIM and __GFP_FS, not PF_MEMALLOC). prepare_alloc_pages acquires and releases
 * it at once (every such allocation *might* reclaim); __perform_reclaim holds it across
 * try_to_free_pages. Nothing ever waits on it: these steps touch no shared state and only tell
 * the lock-order analysis that the thread is (or might be) in reclaim.
 */
export const FS_RECLAIM = 'fs_reclaim';

export function fsReclaimAcquire<L>(): StepSpec<any, L> {
  return { lock: () => ({ op: 'acquire', cls: FS_RECLAIM }), footprint: () => [], run: () => ({}) };
}

export function fsReclaimRelease<L>(): StepSpec<any, L> {
  return { lock: () => ({ op: 'release', cls: FS_RECLAIM }), footprint: () => [], run: () => ({}) };
}

/** prepare_alloc_pages: fs_reclaim_acquire + fs_reclaim_release, in one step (the might-reclaim annotation). */
export function fsReclaimMight<L>(): StepSpec<any, L> {
  return {
    lock: () => [
      { op: 'acquire', cls: FS_RECLAIM },
      { op: 'release', cls: FS_RECLAIM },
    ],
    footprint: () => [],
    run: () => ({}),
  };
}
