/**
 * The Promela translations the SPIN benchmark runs: one entry per mmcheck model and variant,
 * with the parameter the sizes set and the default sizes (`npm run bench:spin -- --sizes` and
 * `--only` override them).
 */
import { filesystem, indexer, lastzero, peterson, philosophers, readers } from './classic.js';
import { MIGRATION_VARIANTS, migrationVsFault } from './migration-vs-fault.js';
import type { PromelaModel } from './promela.js';

export interface Translation {
  /** mmcheck registry name. */
  readonly model: string;
  readonly variant: string;
  /** The mmcheck parameter the size sets (none: one size). */
  readonly param?: string;
  readonly sizes: readonly number[];
  readonly promela: (n: number) => PromelaModel;
  /** Run by default (the other migration variants are translated too: `--only`). */
  readonly byDefault: boolean;
}

const READERS = [1, 2, 3, 4, 5, 6];
const DEFAULT_MIGRATION = new Set(['upstream', 'opt2-xchg', 'opt3-freeze-first', 'opt5-recheck']);

export const TRANSLATIONS: readonly Translation[] = [
  ...MIGRATION_VARIANTS.map((variant) => ({
    model: 'migration-vs-fault',
    variant,
    param: 'readers',
    sizes: READERS,
    promela: (n: number) => migrationVsFault(variant, n),
    byDefault: DEFAULT_MIGRATION.has(variant),
  })),
  { model: 'readers', variant: 'readers', param: 'n', sizes: [2, 4, 8, 12], promela: readers, byDefault: true },
  { model: 'lastzero', variant: 'lastzero', param: 'n', sizes: [2, 4, 6, 8, 10], promela: lastzero, byDefault: true },
  { model: 'indexer', variant: 'indexer', param: 'n', sizes: [2, 3, 4, 5, 6], promela: indexer, byDefault: true },
  {
    model: 'filesystem',
    variant: 'filesystem',
    param: 'n',
    sizes: [2, 3, 4, 5, 6],
    promela: filesystem,
    byDefault: true,
  },
  {
    model: 'philosophers',
    variant: 'naive',
    param: 'n',
    sizes: [3, 5, 7],
    promela: (n) => philosophers('naive', n),
    byDefault: true,
  },
  {
    model: 'philosophers',
    variant: 'ordered',
    param: 'n',
    sizes: [3, 5, 7],
    promela: (n) => philosophers('ordered', n),
    byDefault: true,
  },
  { model: 'peterson', variant: 'peterson', sizes: [2], promela: () => peterson('peterson'), byDefault: true },
  { model: 'peterson', variant: 'no-turn', sizes: [2], promela: () => peterson('no-turn'), byDefault: true },
];

export const nameOf = (t: Translation) => (t.model === t.variant ? t.model : `${t.model}/${t.variant}`);
