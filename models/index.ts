/** The shipped models, in the order `mmcheck list` and `mmcheck verify` show them. */
import type { Model } from '../src/core/model.js';
import filesystem from './classic/filesystem.js';
import migrationVsFault from './kernel/migration-vs-fault.js';
import mremapVsRmapWalk from './kernel/mremap-vs-rmap-walk.js';
import rmapVsVmaAdjust from './kernel/rmap-vs-vma-adjust.js';
import indexer from './classic/indexer.js';
import lastzero from './classic/lastzero.js';
import peterson from './classic/peterson.js';
import putAndWait from './kernel/put-and-wait.js';
import philosophers from './classic/philosophers.js';
import readers from './classic/readers.js';
import spfSeqcount from './kernel/spf-seqcount.js';

export const models: readonly Model[] = [
  peterson,
  philosophers,
  readers,
  lastzero,
  indexer,
  filesystem,
  rmapVsVmaAdjust,
  mremapVsRmapWalk,
  migrationVsFault,
  spfSeqcount,
  putAndWait,
];
