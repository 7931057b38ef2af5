/**
 * 'mmcheck/kernel': the kernel primitives models are built from (locks, folios, PTEs, VMAs,
 * anon_vmas, the page cache, seqcounts, the TLB, reclaim). Each module owns its access rules.
 */
export * from './anon-vma.js';
export * from './folio.js';
export * from './mremap.js';
export * from './pagecache.js';
export * from './pte.js';
export * from './reclaim.js';
export * from './rwsem.js';
export * from './rwsem-fair.js';
export * from './seqcount.js';
export * from './spinlock.js';
export * from './tlb.js';
export * from './vma.js';
