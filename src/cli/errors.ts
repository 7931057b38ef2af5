import { ModelError, errorMessage } from '../core/errors.js';
import { EXIT_INCOMPLETE, EXIT_USAGE } from '../report/status.js';

/** A bad command line: exit code 2, like a model error. */
export class UsageError extends ModelError {
  constructor(message: string) {
    super(message, 'usage');
    this.name = 'UsageError';
  }
}

/** One line, whatever the message held. */
export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** V8's message when an ArrayBuffer (a search's state table) cannot be had: memory ran out. */
const ALLOCATION_FAILED = /Array buffer allocation failed/;

/**
 * A command's failure as its one line on stderr and its exit code: a usage or model error, 2;
 * memory running out before the bound was seen (a table outgrowing `ulimit -v` between two looks
 * at the resident size), 3 — incomplete, as the worker's heap running out is; else an internal
 * error, 2.
 */
export function failure(e: unknown): { readonly text: string; readonly line: string; readonly code: number } {
  const msg = e instanceof ModelError ? e.message : `internal error: ${errorMessage(e)}`;
  const oom = ALLOCATION_FAILED.exec(msg);
  const out = (text: string, code: number) => ({ text, line: `mmcheck: error: ${text}\n`, code });
  if (oom && (e instanceof RangeError || (e instanceof ModelError && e.code === 'internal')))
    return out(
      `INCOMPLETE: memory ran out (${oom[0]}) before the memory bound was seen; the search's findings are lost — give a lower --max-memory`,
      EXIT_INCOMPLETE,
    );
  return out(oneLine(msg), EXIT_USAGE);
}
