/**
 * One side-by-side measurement: mmcheck (in a worker process) and SPIN on the same model,
 * variant and size, and the agreement of their verdicts. When both find a violation but name
 * different properties first, each property is cross-checked on the other checker restricted
 * to it (mmcheck `properties: [p]`, SPIN with only p's asserts); agreement then means each
 * checker also finds the property the other reported first.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiate } from '../../src/core/instantiate.js';
import { models } from '../../models/index.js';
import type { ExploreOptions } from '../../src/explore/explore.js';
import type { Translation } from './index.js';
import type { WorkerRequest, WorkerResult } from './mmcheck-worker.js';
import { runSpin, type SpinResult, type SpinSettings } from './pan.js';
import { emit } from './promela.js';

const WORKER = join(fileURLToPath(new URL('.', import.meta.url)), 'mmcheck-worker.js');

export type Agreement = 'agree' | 'agree (cross-checked)' | 'DISAGREE' | 'n/a';

export interface Measurement {
  readonly t: Translation;
  readonly n: number;
  readonly mm?: WorkerResult;
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

export function propertyNames(t: Translation, n: number): string[] {
  const model = models.find((m) => m.name === t.model)!;
  return instantiate(model, t.variant, paramsOf(t, n)).properties.map((p) => p.name);
}

export function runMmcheck(t: Translation, n: number, cfg: RunConfig, extra: Partial<ExploreOptions> = {}): WorkerResult {
  const options = { strategy: 'dfs', stopAtFirst: true, timeLimitMs: cfg.timeoutMs, ...cfg.mmOptions, ...extra } as WorkerRequest['options'];
  const req: WorkerRequest = { model: t.model, variant: t.variant, params: paramsOf(t, n), options };
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [WORKER, JSON.stringify(req)], { encoding: 'utf8', timeout: cfg.timeoutMs + 60_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as WorkerResult;
  } catch {
    const reason = r.error ? `worker: ${r.error.message}` : `worker exited ${r.status}: ${(r.stderr ?? '').trim().slice(0, 300)}`;
    // Only running out of time is an incomplete search; any other spawn failure (ENOBUFS, ENOENT) is an error.
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return { outcome: timedOut ? 'incomplete' : 'error', properties: [], reason, states: 0, transitions: 0, timeMs: performance.now() - t0, wallMs: 0, peakHeapBytes: 0, bytesPerState: 0, maxRssBytes: 0 };
  }
}

export function spinOn(t: Translation, n: number, cfg: RunConfig, only?: string): SpinResult {
  const dir = join(cfg.workDir, `${t.model}-${t.variant}-${n}${only ? '-' + only : ''}`);
  return runSpin(emit(t.promela(n), only), dir, propertyNames(t, n), cfg.spin, { ignoreEndStates: only !== undefined && only !== 'deadlock-free' });
}

const done = (o: string) => o === 'pass' || o === 'violated';

function agreement(t: Translation, n: number, mm: WorkerResult | undefined, spin: SpinResult | undefined, cfg: RunConfig): { agreement: Agreement; note?: string } {
  if (!mm || !spin || !done(mm.outcome) || !done(spin.outcome)) return { agreement: 'n/a' };
  if (mm.outcome !== spin.outcome) return { agreement: 'DISAGREE', note: `mmcheck ${mm.outcome}, SPIN ${spin.outcome}` };
  if (mm.outcome === 'pass') return { agreement: 'agree' };
  const [pm, ps] = [mm.properties[0], spin.properties[0]];
  if (pm === ps) return { agreement: 'agree' };
  // Different first violations: each checker must also find the other's.
  const mmOnSpins = runMmcheck(t, n, cfg, { properties: [ps] });
  const spinOnMms = spinOn(t, n, cfg, pm);
  const ok = mmOnSpins.outcome === 'violated' && spinOnMms.outcome === 'violated' && spinOnMms.properties.includes(pm);
  const note = `first: mmcheck ${pm}, SPIN ${ps}; mmcheck on ${ps}: ${mmOnSpins.outcome}; SPIN on ${pm}: ${spinOnMms.outcome}`;
  return { agreement: ok ? 'agree (cross-checked)' : 'DISAGREE', note };
}

/** Measure one size; `skipMm`/`skipSpin` when that checker already ran out of time at a smaller size. */
export function measure(t: Translation, n: number, cfg: RunConfig, skipMm: boolean, skipSpin: boolean): Measurement {
  const mm = skipMm ? undefined : runMmcheck(t, n, cfg);
  const spin = skipSpin ? undefined : spinOn(t, n, cfg);
  return { t, n, mm, spin, ...agreement(t, n, mm, spin, cfg) };
}

export interface Equivalence {
  readonly t: Translation;
  readonly n: number;
  readonly mm: WorkerResult;
  readonly spin: SpinResult;
  /** Same set of violated properties. */
  readonly sameProperties: boolean;
  /**
   * The sets differ only by SPIN's deadlock after a kernel BUG: mmcheck ends the execution at a
   * BUG, SPIN (past errors) only stops the BUGging thread and the others may then block.
   */
  readonly bugArtefact: boolean;
}

/**
 * The translation check: mmcheck's naive search (every interleaving, every property, past the
 * first violation) against SPIN without partial-order reduction (-DNOREDUCE, pan -c0). They must
 * find the same violated properties; SPIN's stored states are mmcheck's plus init's own (its
 * start, the `run`s, and one final check per distinct terminal state).
 */
export function equivalence(t: Translation, n: number, cfg: RunConfig): Equivalence {
  const mm = runMmcheck(t, n, cfg, { strategy: 'naive', stopAtFirst: false });
  const dir = join(cfg.workDir, `eq-${t.model}-${t.variant}-${n}`);
  const spin = runSpin(emit(t.promela(n)), dir, propertyNames(t, n), { ...cfg.spin, defines: [...cfg.spin.defines, '-DNOREDUCE'] }, { allErrors: true });
  const key = (xs: readonly string[]) => [...xs].sort().join(',');
  const bugs = t.promela(n).assertions;
  const withoutDeadlock = spin.properties.filter((p) => p !== 'deadlock-free');
  const bugArtefact =
    !mm.properties.includes('deadlock-free') && spin.properties.includes('deadlock-free') && withoutDeadlock.some((p) => bugs.includes(p)) && key(withoutDeadlock) === key(mm.properties);
  return { t, n, mm, spin, sameProperties: key(mm.properties) === key(spin.properties), bugArtefact };
}
