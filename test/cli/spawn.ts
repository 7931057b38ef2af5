/** Running the built `mmcheck` bin in a child process, as a user would. */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAIN = path.join(ROOT, 'dist/src/cli/main.js');

export interface Ran {
  readonly code: number | null;
  readonly signal?: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

export function run(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): Ran {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '', ...env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Start the CLI, wait until its stderr matches `ready` (a progress heartbeat, a marker), then
 * send each signal in turn, each after stderr matches the corresponding `after` pattern (when
 * given); resolve when the process ends.
 */
export function runSignalled(
  args: readonly string[],
  ready: RegExp,
  signals: readonly { readonly signal: NodeJS.Signals; readonly after?: RegExp }[],
  env: Record<string, string> = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '', MMCHECK_HEARTBEAT_SECONDS: '0', ...env },
    });
    let out = '';
    let err = '';
    let sent = 0;
    const maybeSignal = () => {
      if (sent >= signals.length || !ready.test(err)) return;
      const next = signals[sent];
      if (next.after && !next.after.test(err)) return;
      sent++;
      child.kill(next.signal);
      maybeSignal();
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      maybeSignal();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}
