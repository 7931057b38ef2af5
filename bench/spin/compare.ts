/**
 * One side-by-side measurement: mmcheck (in a worker process) and SPIN on the same model,
 * variant and size, and the agreement of their verdicts. When both find a violation but name
 * different properties first, each property is cross-checked on the other checker restricted
 * to it (mmcheck `properties: [p]`, SPIN with only p's asserts); agreement then means each
 * checker also finds the property the other reported first.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExploreOptions } from '../../src/explore/explore.js';
import { DEFAULT_STRATEGY } from '../../src/explore/strategies/registry.js';
import { MODEL_ERROR } from './generate/index.js';
import type { Generated } from './generate/index.js';
import { instanceOf, promelaOf, type Translation } from './index.js';
import type { WorkerRequest, WorkerResult } from './mmcheck-worker.js';
import { runSpin, spinError, type PanFlags, type SpinResult, type SpinSettings } from './pan.js';

const WORKER = join(fileURLToPath(new URL('.', import.meta.url)), 'mmcheck-worker.js');

export type Agreement = 'agree' | 'agree (cross-checked)' | 'DISAGREE' | 'n/a';

/** mmcheck's side of a measurement: the worker's result and the times the parent took. */
export interface MmResult extends WorkerResult {
  /**
   * Time to verdict: wall time from spawning the worker to receiving its result line (node's
   * start, module loading, instantiate and explore()), the counterpart of SPIN's spin -a + gcc + pan.
   */
  readonly totalMs: number;
  /** The same search run again in the same process (instantiate + explore(), JIT warm); informative only. */
  readonly warmMs?: number;
}

/** The worker skips the warm second run after a first search longer than this. */
export const WARM_LIMIT_MS = 10_000;

/** mmcheck's search: the default, `auto` (naive and dfs in turns, docs/strategies.md), as `mmcheck check` runs it. */
export const MM_STRATEGY = DEFAULT_STRATEGY;

export interface Measurement {
  readonly t: Translation;
  readonly n: number;
  readonly mm?: MmResult;
  readonly spin?: SpinResult;
  readonly agreement: Agreement;
  readonly note?: string;
}

export interface RunConfig {
  readonly timeoutMs: number;
  readonly spin: SpinSettings;
  /** Extra explore() options (e.g. `symmetry: true`), passed through to the worker. */
  readonly mmOptions: Readonly<Record<string, unknown>>;
  readonly workDir: string;
}

export function paramsOf(t: Translation, n: number): Record<string, number> {
  return t.param ? { [t.param]: n } : {};
}

/** The model's property names, and the generator's model-error marker (a step or check that throws). */
export function propertyNames(t: Translation, n: number): string[] {
  return [...instanceOf(t, n).properties.map((p) => p.name), MODEL_ERROR];
}

const NO_STATS = {
  properties: [],
  states: 0,
  transitions: 0,
  searchMs: 0,
  peakHeapBytes: 0,
  bytesPerState: 0,
  maxRssBytes: 0,
} as const;

/** The worker's output: its result line (else an error or, when it was killed for time, incomplete) and its warm line. */
function parseWorker(out: string, err: string, code: number | null, timedOut: boolean, totalMs: number): MmResult {
  const lines = out.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const result = lines.find((l) => 'outcome' in l) as WorkerResult | undefined;
  const warm = lines.find((l) => 'warmMs' in l)?.warmMs;
  if (result) return { ...NO_STATS, ...result, totalMs, warmMs: typeof warm === 'number' ? warm : undefined };
  // Only running out of time is an incomplete search; any other failure is an error.
  const reason = timedOut ? 'time' : `worker exited ${code}: ${err.trim().slice(0, 300)}`;
  return { ...NO_STATS, outcome: timedOut ? 'incomplete' : 'error', reason, totalMs };
}

/**
 * mmcheck in a worker process, timed from spawn to its result line; `warm`: the worker then runs
 * the search a second time (not timed in totalMs).
 */
export function runMmcheck(
  t: Translation,
  n: number,
  cfg: RunConfig,
  extra: Partial<ExploreOptions> = {},
  warm = false,
): Promise<MmResult> {
  const options = {
    strategy: MM_STRATEGY,
    stopAtFirst: true,
    timeLimitMs: cfg.timeoutMs,
    ...cfg.mmOptions,
    ...extra,
  } as WorkerRequest['options'];
  const req: WorkerRequest = {
    model: t.model,
    variant: t.variant,
    params: paramsOf(t, n),
    options,
    ...(warm ? { warmLimitMs: WARM_LIMIT_MS } : {}),
  };
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [WORKER, JSON.stringify(req)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let totalMs: number | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, cfg.timeoutMs + 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (totalMs === undefined && out.includes('\n')) totalMs = performance.now() - t0;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 4096) err += d;
    });
    const finish = (code: number | null, spawnError?: Error) => {
      clearTimeout(timer);
      resolve(
        parseWorker(
          out,
          spawnError ? `spawn: ${spawnError.message}` : err,
          code,
          timedOut,
          totalMs ?? performance.now() - t0,
        ),
      );
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}

/** Generate the Promela and run SPIN on it; a model the generator refuses is an `error` result naming why. */
function generateAndRun(
  t: Translation,
  n: number,
  dir: string,
  settings: SpinSettings,
  flags: PanFlags,
  only?: string,
): SpinResult {
  let gen: Generated;
  try {
    gen = promelaOf(t, n, only);
  } catch (e) {
    return spinError(`generating Promela: ${e instanceof Error ? e.message : String(e)}`);
  }
  return runSpin(gen.text, dir, propertyNames(t, n), settings, {
    ...flags,
    terminal: gen.dumped.length ? (text: string) => gen.checkTerminal(text) : undefined,
  });
}

export function spinOn(t: Translation, n: number, cfg: RunConfig, only?: string): SpinResult {
  const dir = join(cfg.workDir, `${t.model}-${t.variant}-${n}${only ? '-' + only : ''}`);
  return generateAndRun(t, n, dir, cfg.spin, {}, only);
}

const done = (o: string) => o === 'pass' || o === 'violated';

async function agreement(
  t: Translation,
  n: number,
  mm: MmResult | undefined,
  spin: SpinResult | undefined,
  cfg: RunConfig,
): Promise<{ agreement: Agreement; note?: string }> {
  if (!mm || !spin || !done(mm.outcome) || !done(spin.outcome)) return { agreement: 'n/a' };
  if (mm.outcome !== spin.outcome)
    return { agreement: 'DISAGREE', note: `mmcheck ${mm.outcome}, SPIN ${spin.outcome}` };
  if (mm.outcome === 'pass') return { agreement: 'agree' };
  const [pm, ps] = [mm.properties[0], spin.properties[0]];
  if (pm === ps) return { agreement: 'agree' };
  // Different first violations: each checker must also find the other's.
  const mmOnSpins = await runMmcheck(t, n, cfg, { properties: [ps] });
  const spinOnMms = spinOn(t, n, cfg, pm);
  const ok = mmOnSpins.outcome === 'violated' && spinOnMms.outcome === 'violated' && spinOnMms.properties.includes(pm);
  const note = `first: mmcheck ${pm}, SPIN ${ps}; mmcheck on ${ps}: ${mmOnSpins.outcome}; SPIN on ${pm}: ${spinOnMms.outcome}`;
  return { agreement: ok ? 'agree (cross-checked)' : 'DISAGREE', note };
}

/** Measure one size; `skipMm`/`skipSpin` when that checker already ran out of time at a smaller size. */
export async function measure(
  t: Translation,
  n: number,
  cfg: RunConfig,
  skipMm: boolean,
  skipSpin: boolean,
): Promise<Measurement> {
  const mm = skipMm ? undefined : await runMmcheck(t, n, cfg, {}, true);
  const spin = skipSpin ? undefined : spinOn(t, n, cfg);
  return { t, n, mm, spin, ...(await agreement(t, n, mm, spin, cfg)) };
}

export interface Equivalence {
  readonly t: Translation;
  readonly n: number;
  readonly mm: MmResult;
  readonly spin: SpinResult;
  /** Same set of violated properties. */
  readonly sameProperties: boolean;
}

/**
 * The generator check: mmcheck's naive search (every interleaving, every property, past the
 * first violation, symmetry off) against SPIN without partial-order reduction (-DNOREDUCE, pan
 * -c0). They must find the same violated properties; SPIN stores mmcheck's states plus init's
 * own (its start, and one final state per terminal state: see docs/spin-comparison.md).
 */
export async function equivalence(t: Translation, n: number, cfg: RunConfig): Promise<Equivalence> {
  const mm = await runMmcheck(t, n, cfg, { strategy: 'naive', stopAtFirst: false, symmetry: false });
  const dir = join(cfg.workDir, `eq-${t.model}-${t.variant}-${n}`);
  const spin = generateAndRun(
    t,
    n,
    dir,
    { ...cfg.spin, defines: [...cfg.spin.defines, '-DNOREDUCE'] },
    { allErrors: true },
  );
  const key = (xs: readonly string[]) => [...xs].sort().join(',');
  return { t, n, mm, spin, sameProperties: key(mm.properties) === key(spin.properties) };
}
