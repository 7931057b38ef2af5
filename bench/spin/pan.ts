/**
 * Running SPIN on a generated model: `spin -a`, `gcc` of pan.c, `./pan`, each timed, and the
 * parse of pan's report (errors with the property each names, states stored, transitions,
 * memory, elapsed time). Also the one-time installation of the Debian package `spin`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { marker, TERMINAL_FILE } from './generate/index.js';

export interface SpinSettings {
  readonly timeoutMs: number;
  /** pan -m: maximum search depth. */
  readonly depth: number;
  /** pan -w: log2 of the hash table slots. */
  readonly hashBits: number;
  /** -DMEMLIM in MB. */
  readonly memLimitMb: number;
  /** Extra gcc defines besides -DSAFETY (the memory setting: -DCOLLAPSE by default). */
  readonly defines: readonly string[];
  /** gcc's optimisation level (default -O2; the tests use -O0: pan compiles several times faster). */
  readonly optimize?: string;
}

export const DEFAULT_SPIN: SpinSettings = {
  timeoutMs: 120_000,
  depth: 10_000,
  hashBits: 24,
  memLimitMb: 8192,
  defines: ['-DCOLLAPSE'],
};

export type SpinOutcome = 'pass' | 'violated' | 'incomplete' | 'error';

export interface SpinResult {
  readonly outcome: SpinOutcome;
  /** The property of the first error (or every error's, in all-errors mode). */
  readonly properties: readonly string[];
  readonly message?: string;
  readonly reason?: string;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly vectorBytes: number;
  readonly genMs: number;
  readonly compileMs: number;
  /** Wall time of ./pan. */
  readonly searchMs: number;
  /** pan's own "elapsed time". */
  readonly panSeconds?: number;
  /** pan's "total actual memory usage" (MB). */
  readonly memMb: number;
  /** pan's "actual memory usage for states" (MB). */
  readonly stateMemMb: number;
  /** Peak RSS of ./pan (/usr/bin/time), 0 when unknown. */
  readonly maxRssBytes: number;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  return {
    ...r,
    ms: performance.now() - t0,
    timedOut: r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT',
  };
}

/** spin is installed, or install the Debian package (saying so); false when that fails. */
export function ensureSpin(log: (s: string) => void): boolean {
  if (spawnSync('spin', ['-V'], { encoding: 'utf8' }).status === 0) return true;
  log('spin is not installed: running apt-get install -y spin ...');
  let r = spawnSync('apt-get', ['install', '-y', 'spin'], { stdio: 'inherit' });
  if (r.status !== 0) {
    log('apt-get install failed; trying apt-get update first ...');
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    r = spawnSync('apt-get', ['install', '-y', 'spin'], { stdio: 'inherit' });
  }
  return r.status === 0 && spawnSync('spin', ['-V'], { encoding: 'utf8' }).status === 0;
}

export function toolVersions(): { spin: string; gcc: string } {
  const first = (cmd: string, args: string[]) =>
    (spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '').split('\n')[0].trim();
  return { spin: first('spin', ['-V']), gcc: first('gcc', ['--version']) };
}

const num = (text: string, re: RegExp) => {
  const m = re.exec(text);
  return m ? Number(m[1]) : NaN;
};

/** Map pan's error lines to property names (the `P_<name>` marker of an assert; invalid end state = deadlock). */
function errorProperties(out: string, properties: readonly string[]): string[] {
  const byMarker = new Map(properties.map((p) => [marker(p), p]));
  const found: string[] = [];
  for (const m of out.matchAll(/^pan:\d+: (.*?) \(at depth \d+\)$/gm)) {
    const line = m[1];
    let prop: string | undefined;
    if (line.startsWith('invalid end state')) prop = 'deadlock-free';
    else {
      const markers = [...line.matchAll(/P_\w+/g)].map((x) => x[0]);
      // The generator puts the marker first: pan truncates a long assert's text.
      prop = markers.length ? byMarker.get(markers[0]) : undefined;
    }
    const name = prop ?? `unknown: ${line}`;
    if (!found.includes(name)) found.push(name);
  }
  return found;
}

export interface PanFlags {
  /** pan -c0: continue past errors, report each (default: stop at the first). */
  readonly allErrors?: boolean;
  /** pan -E: do not report invalid end states (a cross-check of one assert property). */
  readonly ignoreEndStates?: boolean;
  /**
   * The model appends its terminal states to TERMINAL_FILE (end-state properties too large to
   * compile): the properties they violate, found after pan ends, join pan's own errors.
   */
  readonly terminal?: (text: string) => readonly string[];
}

const TIME = '/usr/bin/time';

/** A run that did not get to pan (the Promela could not be generated): outcome `error`, no statistics. */
export function spinError(reason: string): SpinResult {
  return {
    outcome: 'error',
    reason,
    properties: [],
    states: 0,
    transitions: 0,
    depth: 0,
    vectorBytes: 0,
    genMs: 0,
    compileMs: 0,
    searchMs: 0,
    memMb: 0,
    stateMemMb: 0,
    maxRssBytes: 0,
  };
}

/** Generate, compile and run pan on `pml` in `dir`; `properties` are the model's property names. */
export function runSpin(
  pml: string,
  dir: string,
  properties: readonly string[],
  settings: SpinSettings,
  flags: PanFlags = {},
): SpinResult {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.pml'), pml);
  rmSync(join(dir, TERMINAL_FILE), { force: true });
  const empty = {
    properties: [],
    states: 0,
    transitions: 0,
    depth: 0,
    vectorBytes: 0,
    genMs: 0,
    compileMs: 0,
    searchMs: 0,
    memMb: 0,
    stateMemMb: 0,
    maxRssBytes: 0,
  };
  const gen = run('spin', ['-a', 'model.pml'], dir, 60_000);
  if (gen.status !== 0)
    return { ...empty, outcome: 'error', reason: `spin -a failed: ${(gen.stdout + gen.stderr).trim().slice(0, 400)}` };
  const gccArgs = [
    settings.optimize ?? '-O2',
    '-DSAFETY',
    ...settings.defines,
    `-DMEMLIM=${settings.memLimitMb}`,
    '-o',
    'pan',
    'pan.c',
  ];
  const cc = run('gcc', gccArgs, dir, 300_000);
  if (cc.status !== 0)
    return {
      ...empty,
      genMs: gen.ms,
      outcome: 'error',
      reason: `gcc failed: ${(cc.stdout + cc.stderr).trim().slice(0, 400)}`,
    };
  const panArgs = [
    `-m${settings.depth}`,
    `-w${settings.hashBits}`,
    '-n',
    ...(flags.allErrors ? ['-c0'] : []),
    ...(flags.ignoreEndStates ? ['-E'] : []),
  ];
  // timeout(1) kills pan itself (killing a wrapper would orphan it); /usr/bin/time reports its peak RSS.
  // SIGINT first: pan prints its statistics so far ("Interrupted"); SIGKILL 10 s later if it does not exit.
  const limited = ['timeout', '--signal=INT', '--kill-after=10', `${settings.timeoutMs / 1000}`, './pan', ...panArgs];
  const cmd = existsSync(TIME) ? [TIME, '-f', 'MAXRSS_KB %M', ...limited] : limited;
  const pan = run(cmd[0], cmd.slice(1), dir, settings.timeoutMs + 30_000);
  const out = `${pan.stdout ?? ''}\n${pan.stderr ?? ''}`;
  const base = {
    ...empty,
    genMs: gen.ms,
    compileMs: cc.ms,
    searchMs: pan.ms,
    states: num(out, /(\d+) states, stored/) || 0,
    transitions: num(out, /(\d+) transitions \(/) || 0,
    depth: num(out, /depth reached (\d+)/) || 0,
    vectorBytes: num(out, /State-vector (\d+) byte/) || 0,
    panSeconds: num(out, /pan: elapsed time ([\d.e+]+) seconds/),
    memMb: num(out, /([\d.]+)\s+total actual memory usage/) || 0,
    stateMemMb: num(out, /([\d.]+)\s+actual memory usage for states/) || 0,
    maxRssBytes: (num(out, /MAXRSS_KB (\d+)/) || 0) * 1024,
  };
  if (pan.timedOut || pan.status === 124 || pan.status === 137 || /Interrupted/.test(out))
    return { ...base, outcome: 'incomplete', reason: 'time' };
  const props = errorProperties(out, properties);
  if (flags.terminal) {
    const file = join(dir, TERMINAL_FILE);
    for (const p of flags.terminal(existsSync(file) ? readFileSync(file, 'utf8') : ''))
      if (!props.includes(p)) props.push(p);
  }
  if (/reached -DMEMLIM bound|out of memory/i.test(out))
    return { ...base, properties: props, outcome: 'incomplete', reason: 'memory' };
  if (/max search depth too small|Search not completed/i.test(out))
    return { ...base, properties: props, outcome: props.length ? 'violated' : 'incomplete', reason: 'depth' };
  if (!/State-vector/.test(out))
    return { ...base, outcome: 'error', reason: `pan exited ${pan.status}: ${out.trim().slice(0, 400)}` };
  const firstError = /^pan:\d+: (.*) \(at depth \d+\)$/m.exec(out);
  return { ...base, properties: props, outcome: props.length ? 'violated' : 'pass', message: firstError?.[1] };
}
