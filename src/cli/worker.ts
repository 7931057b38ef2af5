/** The thread a command runs in (see main.ts): its output and exit code go to the main thread as messages. */
import { parentPort, workerData } from 'node:worker_threads';
import { runCli } from './app.js';
import { oneLine } from './errors.js';
import type { Io } from './io.js';

export interface WorkerData {
  readonly args: readonly string[];
  /** Set (non-zero) by the main thread on the first SIGINT/SIGTERM. */
  readonly flag: Int32Array;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly columns?: number;
  readonly errColumns?: number;
  readonly cwd: string;
  /** The process's start (epoch ms). */
  readonly startedAt: number;
}

export type WorkerMessage =
  { readonly t: 'out' | 'err'; readonly s: string } | { readonly t: 'exit'; readonly code: number };

function run(port: NonNullable<typeof parentPort>, d: WorkerData): void {
  const send = (m: WorkerMessage) => port.postMessage(m);
  const io: Io = {
    out: (s) => send({ t: 'out', s }),
    err: (s) => send({ t: 'err', s }),
    stdoutIsTTY: d.stdoutIsTTY,
    stderrIsTTY: d.stderrIsTTY,
    env: process.env,
    columns: d.columns,
    errColumns: d.errColumns,
    cwd: d.cwd,
    interrupted: () => Atomics.load(d.flag, 0) !== 0,
    startedAt: d.startedAt,
  };
  runCli(d.args, io).then(
    (code) => send({ t: 'exit', code }),
    (e: unknown) => {
      send({ t: 'err', s: `mmcheck: error: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}\n` });
      send({ t: 'exit', code: 2 });
    },
  );
}

if (parentPort) run(parentPort, workerData as WorkerData);
