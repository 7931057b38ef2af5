/** Pieces the commands share: searching with progress, shortest counterexamples, writing files. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError, errorMessage } from '../core/errors.js';
import type { Instance } from '../core/instantiate.js';
import { explore, type ExploreOptions } from '../explore/explore.js';
import type { Progress, SearchResult, Violation } from '../explore/result.js';
import { formatCount, formatDuration, formatRate } from '../report/format.js';
import type { Io } from './io.js';

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/** Run a search, showing progress on stderr when it is a terminal. */
export function search(
  io: Io,
  inst: Instance,
  opts: ExploreOptions,
  what = `${inst.model.name}/${inst.variant}`,
): SearchResult {
  if (!io.stderrIsTTY) return explore(inst, opts);
  let shown = false;
  const onProgress = (p: Progress) => {
    shown = true;
    io.err(
      `\r\x1b[K${what}: ${formatCount(p.states)} states · ${formatRate(p.states, p.elapsedMs)} states/s · depth ${p.depth} · queue ${formatCount(p.queue)} · ${formatDuration(p.elapsedMs)}`,
    );
  };
  try {
    return explore(inst, { ...opts, onProgress });
  } finally {
    if (shown) io.err('\r\x1b[K');
  }
}

/** The shortest counterexample of one property: a breadth-first search restricted to it. */
export function shortest(io: Io, inst: Instance, property: string, opts: ExploreOptions = {}): Violation | undefined {
  const r = search(
    io,
    inst,
    {
      maxStates: opts.maxStates,
      maxDepth: opts.maxDepth,
      timeLimitMs: opts.timeLimitMs,
      strategy: 'bfs',
      properties: [property],
    },
    `${inst.model.name}/${inst.variant} shortest ${property}`,
  );
  if (r.kind === 'violation' || r.kind === 'incomplete') return r.violations.find((v) => v.property === property);
  return undefined;
}

export function kindsOf(inst: Instance): Record<string, string> {
  return Object.fromEntries(inst.properties.map((p) => [p.name, p.kind]));
}

export function writeOutput(io: Io, file: string, text: string, what: string): void {
  try {
    writeFileSync(path.resolve(io.cwd, file), text);
  } catch (e) {
    throw new ModelError(`cannot write ${what} file '${file}': ${errorMessage(e)}`, 'io');
  }
}
