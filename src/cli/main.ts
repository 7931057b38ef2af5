#!/usr/bin/env node
/**
 * The `mmcheck` executable: the only place that touches the process (output, exit code,
 * signals). The command runs in a worker thread so that this thread stays free to catch Ctrl-C
 * and SIGTERM while a search holds the worker busy:
 * - the first signal sets a shared flag that the search polls (with its other limits): it stops,
 *   and the command prints what it found, writes its JSON/JUnit, and exits 3 (incomplete);
 * - a second signal exits at once (130 for SIGINT, 143 for SIGTERM).
 * The worker's JS heap limit is raised to the memory bound (`--max-memory`, default 75% of the
 * machine), so the bound — checked on the resident size of the whole process — is reached before
 * the heap runs out; should the heap still run out (one allocation jumping past both), the run
 * ends with one line and exit 3, never a V8 stack trace.
 *
 * Under an address-space limit (`ulimit -v`) a second V8 isolate may not fit (each reserves
 * hundreds of MiB of address space): the command then runs in this thread, where a signal is
 * seen only between searches (Ctrl-C mid-search ends the process as usual).
 */
import { Worker } from 'node:worker_threads';
import { hideBin } from 'yargs/helpers';
import { addressSpaceLimit, defaultMaxMemory, parseSize } from './memory.js';
import type { WorkerData, WorkerMessage } from './worker.js';

const EXIT_USAGE = 2;
const EXIT_INCOMPLETE = 3;
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** The memory bound as the command line gives it (a bad value: the default; the command reports it). */
function memoryBound(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const m = /^--max-memory(?:=(.*))?$/.exec(args[i]);
    if (!m) continue;
    const size = parseSize(m[1] ?? args[i + 1] ?? '');
    if (size !== null) return size;
  }
  return defaultMaxMemory();
}

/** Run the command in this thread (no room for a worker). */
async function inProcess(args: readonly string[]): Promise<void> {
  const [{ runCli }, { nodeIo }] = await Promise.all([import('./app.js'), import('./io.js')]);
  process.exitCode = await runCli(args, nodeIo());
}

function main(): void {
  const args = hideBin(process.argv);
  if (addressSpaceLimit() !== undefined) {
    inProcess(args).catch((e: unknown) => {
      process.stderr.write(`mmcheck: error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT_USAGE;
    });
    return;
  }
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const heapMb = Math.ceil(memoryBound(args) / 2 ** 20) + 256;
  const data: WorkerData = {
    args,
    flag,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    errColumns: process.stderr.isTTY ? process.stderr.columns : undefined,
    cwd: process.cwd(),
    startedAt: performance.timeOrigin,
  };
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: data,
    // 64 MiB of code space is ample for the checker and a model, and reserves far less address space than the default.
    resourceLimits: { maxOldGenerationSizeMb: heapMb, codeRangeSizeMb: 64 },
  });
  let code: number | undefined;
  let signals = 0;
  const onSignal = (sig: keyof typeof SIGNAL_EXIT) => {
    if (++signals > 1) {
      process.stderr.write(`\nmmcheck: ${sig} again: exiting at once\n`);
      process.exit(SIGNAL_EXIT[sig]);
    }
    Atomics.store(flag, 0, 1);
    process.stderr.write(
      `\nmmcheck: ${sig}: stopping the search and reporting what it found (${sig === 'SIGINT' ? 'Ctrl-C' : 'a signal'} again exits at once)\n`,
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // A reader that stops early (`mmcheck verify | head`) closes the pipe under rows still being
  // streamed: stop writing (EPIPE) rather than die with a stack trace; the exit code is unchanged.
  let stdoutClosed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdoutClosed = true;
  });
  worker.on('message', (m: WorkerMessage) => {
    if (m.t === 'out') void (stdoutClosed || process.stdout.write(m.s));
    else if (m.t === 'err') process.stderr.write(m.s);
    else if (m.t === 'exit') code = m.code;
  });
  worker.on('error', (e: Error & { code?: string }) => {
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      process.stderr.write(
        `mmcheck: error: INCOMPLETE: the JavaScript heap reached its limit (${heapMb} MiB) before the memory bound was seen; the search's findings are lost — give a lower --max-memory\n`,
      );
      code = EXIT_INCOMPLETE;
    } else {
      process.stderr.write(`mmcheck: error: internal error: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      code = EXIT_USAGE;
    }
  });
  worker.on('exit', () => {
    process.exitCode = code ?? EXIT_USAGE;
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
  });
}

main();
