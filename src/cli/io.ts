/** Where the CLI writes, and what it knows about the terminal. The CLI is the only printer. */
import { chalkPalette, plainPalette, type Palette } from '../report/palette.js';
import { intOption } from './options.js';

export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Terminal width of stdout, when known. */
  readonly columns?: number;
  /** Terminal width of stderr (where the live progress line goes), when known. */
  readonly errColumns?: number;
  readonly cwd: string;
  /** True once the user asked the run to stop (Ctrl-C / SIGTERM, caught by the bin); polled by searches. */
  readonly interrupted?: () => boolean;
  /** When the process started (epoch ms): --time-limit counts from there, start-up included. */
  readonly startedAt?: number;
}

let stdoutClosed = false;
let watching = false;

/** One listener for the process, however many Io objects are made (docs:update makes one per block). */
function watchStdoutPipe(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdoutClosed = true;
  });
}

export function nodeIo(): Io {
  // A reader that stops early (`mmcheck verify | head`) closes the pipe under rows still being
  // streamed: stop writing (EPIPE) rather than die with a stack trace; the exit code is unchanged.
  watchStdoutPipe();
  return {
    out: (s) => void (stdoutClosed || process.stdout.write(s)),
    err: (s) => void process.stderr.write(s),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    errColumns: process.stderr.isTTY ? process.stderr.columns : undefined,
    cwd: process.cwd(),
  };
}

/** Colour only on a terminal, never with --no-color or a non-empty NO_COLOR. */
export function choosePalette(io: Io, color: boolean): Palette {
  const noColorEnv = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return io.stdoutIsTTY && color && !noColorEnv ? chalkPalette : plainPalette;
}

/** Width for reports: `--width` when given, else the terminal's, else 80 (a pipe or a file). */
export function reportWidth(io: Io, explicit?: number): number {
  return explicit ?? (io.columns && io.columns > 0 ? io.columns : 80);
}

/** `--width N` (at least 40), checked; else `reportWidth`'s choice. */
export function outputWidth(io: Io, raw: unknown): number {
  return reportWidth(io, intOption('width', raw, 40));
}
