/** Pieces the commands share: searching with progress and limits, shortest counterexamples, writing files. */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { ModelError, errorMessage } from '../core/errors.js';
import type { Instance } from '../core/instantiate.js';
import { explore, type EngineChoice, type ExploreOptions } from '../explore/explore.js';
import type { IncompleteReason, SearchResult, Stats, Violation } from '../explore/results/result.js';
import { strategyWith, type SearchStrategy } from '../explore/strategies/registry.js';
import { verdicts } from '../explore/results/verdicts.js';
import type { RunContext } from '../report/format.js';
import type { RunReport } from '../report/run.js';
import { runControl, exhausted, phaseLimits, type RunControl } from './control.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { engineChoice, type SearchArgs } from './options.js';
import { ProgressPrinter, progressMode } from './progress.js';

export { EXIT_FAIL, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE } from '../report/status.js';

/**
 * The search verify and compare run on every variant, named also by the runs they do not reach:
 * the table's partial-order reduction (dfs), not the default, so that compare's cost columns count
 * the same search's states on every variant.
 */
export const VARIANT_SEARCH: SearchStrategy = strategyWith('reduced').name;

/** What every searching command carries: where it prints, its limits, its progress line. */
export interface Session {
  readonly io: Io;
  readonly control: RunControl;
  readonly progress: ProgressPrinter;
  /** The engine every search of the command runs on (`--engine`; auto: compiled for a model-language model). */
  readonly engine: EngineChoice;
}

export function session(io: Io, a: SearchArgs & { readonly quiet?: boolean }): Session {
  const control = runControl(a, io);
  return {
    io,
    control,
    progress: new ProgressPrinter(io, progressMode(io, a.quiet), control.deadline),
    engine: engineChoice(a.engine),
  };
}

/**
 * Run a search under the command's limits: what is left of its time, the memory bound, the
 * interrupt flag; with progress on stderr.
 */
export function search(
  s: Session,
  inst: Instance,
  opts: ExploreOptions,
  what = `${inst.model.name}/${inst.variant}`,
): SearchResult {
  const onProgress = s.progress.callback(what);
  try {
    return explore(inst, {
      engine: s.engine,
      ...opts,
      ...phaseLimits(s.control),
      ...(onProgress ? { onProgress } : {}),
    });
  } finally {
    s.progress.clear();
  }
}

/**
 * The shortest counterexample of one property: the shortest search (bfs) restricted to it. None
 * when the command's time is up or it was interrupted (the counterexample found stands).
 */
export function shortest(s: Session, inst: Instance, property: string): Violation | undefined {
  if (exhausted(s.control)) return undefined;
  const r = search(
    s,
    inst,
    { strategy: strategyWith('shortest').name, properties: [property] },
    `${inst.model.name}/${inst.variant} shortest ${property}`,
  );
  if (r.kind === 'violation' || r.kind === 'incomplete') return r.violations.find((v) => v.property === property);
  return undefined;
}

/**
 * The report of a run of `strategy` that never started (time up or interrupted first):
 * incomplete, every verdict unknown.
 */
export function notRunReport(
  ctx: RunContext,
  inst: Instance,
  reason: IncompleteReason,
  strategy: SearchStrategy,
): RunReport {
  const stats: Stats = {
    strategy,
    checked: inst.properties.map((p) => p.name),
    states: 0,
    transitions: 0,
    maxDepth: 0,
    timeMs: 0,
    peakHeapBytes: 0,
    bytesPerState: 0,
  };
  const result: SearchResult = { kind: 'incomplete', reason, violations: [], stats };
  return { ctx, result, verdicts: verdicts(inst, result), kinds: kindsOf(inst), notRun: reason };
}

export function kindsOf(inst: Instance): Record<string, string> {
  return Object.fromEntries(inst.properties.map((p) => [p.name, p.kind]));
}

/**
 * Refuse, before any search, an output file that could not be written at the end: an empty
 * name, a directory, a missing or read-only directory, a read-only file. A regular file (or a
 * new one) is opened for writing, not asked about with access(2), which says yes to root
 * wherever the mode bits would (a new file in /proc, /proc/version); a new one is removed again.
 */
export function checkWritable(io: Io, option: string, file: string | undefined): void {
  if (file === undefined) return;
  if (file.trim() === '') throw new UsageError(`--${option} needs a file name (got an empty one)`);
  const target = path.resolve(io.cwd, file);
  const dir = path.dirname(target);
  let st;
  try {
    st = statSync(target, { throwIfNoEntry: false });
    if (st?.isDirectory()) throw new UsageError(`--${option} '${file}' is a directory; give a file name`);
    if (st && !st.isFile()) accessSync(target, constants.W_OK);
    else tryOpen(target, st === undefined);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const why =
      (e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dir)
        ? `directory '${dir}' does not exist`
        : 'not writable';
    throw new UsageError(`cannot write --${option} file '${file}': ${why}`);
  }
}

/** Open a file for writing without changing it: an existing one is neither truncated nor written, a new one removed. */
function tryOpen(target: string, isNew: boolean): void {
  const fd = openSync(target, isNew ? 'wx' : 'r+');
  try {
    // procfs and sysfs files open, then refuse the write itself: an empty write asks.
    if (!isNew) writeSync(fd, '');
  } finally {
    closeSync(fd);
    if (isNew) unlinkSync(target);
  }
}

export function writeOutput(io: Io, file: string, text: string, what: string): void {
  try {
    writeFileSync(path.resolve(io.cwd, file), text);
  } catch (e) {
    throw new ModelError(`cannot write ${what} file '${file}': ${errorMessage(e)}`, 'io');
  }
}

/** `{ file }` when there is one (reports leave the field out otherwise). */
export const withFile = (file: string | undefined): { file?: string } => (file ? { file } : {});
