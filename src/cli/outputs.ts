/**
 * `--json [FILE]` and `--junit FILE`: checked before any search (so a long run never ends with
 * nothing written), and written at the end, also when the run was cut short.
 */
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { checkWritable, writeOutput } from './shared.js';

export interface OutputArgs {
  /** `--json` alone (or `--json -`): the JSON on stdout instead of the text; `--json FILE`: also written there. */
  readonly json?: string;
  readonly junit?: string;
  readonly quiet?: boolean;
  /** `--itf FILE`, `--html FILE`: the counterexample files (src/cli/trace-files.ts). */
  readonly itf?: string;
  readonly html?: string;
  /** `--format mail` (check, replay): the counterexamples as mail text on stdout. */
  readonly format?: string;
}

/** The JSON replaces the text on stdout. */
export const jsonOnStdout = (a: OutputArgs): boolean => a.json === '' || a.json === '-';

export function checkOutputs(io: Io, a: OutputArgs): void {
  if (jsonOnStdout(a) && a.format === 'mail')
    throw new UsageError('--json and --format mail contradict each other (give one)');
  checkWritable(io, 'junit', a.junit);
  if (a.json !== undefined && !jsonOnStdout(a)) checkWritable(io, 'json', a.json);
  checkWritable(io, 'itf', a.itf);
  checkWritable(io, 'html', a.html);
}

/** Print or write the JSON document, when asked for. */
export function emitJson(io: Io, a: OutputArgs, doc: string): void {
  if (a.json === undefined) return;
  if (jsonOnStdout(a)) io.out(doc);
  else writeOutput(io, a.json, doc, 'JSON');
}
