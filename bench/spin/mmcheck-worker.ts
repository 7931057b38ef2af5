/**
 * One mmcheck run in its own process, so that its time and peak memory are its own:
 *
 *   node dist/bench/spin/mmcheck-worker.js '<json request>'
 *
 * The request names the model, variant and parameters, the explore() options (strategy, limits,
 * stopAtFirst, properties, and anything else such as `symmetry`, passed through unchanged) and
 * prints one JSON line: the outcome, the violated properties, the search statistics, the wall
 * time of instantiate + explore, and the process's peak RSS.
 */
import { instantiate } from '../../src/core/instantiate.js';
import { explore, type ExploreOptions } from '../../src/explore/explore.js';
import { models } from '../../models/index.js';

export interface WorkerRequest {
  readonly model: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly options: ExploreOptions & Readonly<Record<string, unknown>>;
}

export interface WorkerResult {
  readonly outcome: 'pass' | 'violated' | 'incomplete' | 'error';
  readonly properties: readonly string[];
  readonly message?: string;
  readonly reason?: string;
  readonly states: number;
  readonly transitions: number;
  readonly timeMs: number;
  readonly wallMs: number;
  readonly peakHeapBytes: number;
  readonly bytesPerState: number;
  readonly maxRssBytes: number;
}

function main(): WorkerResult {
  const req = JSON.parse(process.argv[2]) as WorkerRequest;
  const model = models.find((m) => m.name === req.model);
  if (!model) throw new Error(`no model ${req.model}`);
  const t0 = performance.now();
  const inst = instantiate(model, req.variant, req.params);
  const r = explore(inst, req.options);
  const wallMs = performance.now() - t0;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  if (r.kind === 'error') return { outcome: 'error', properties: [], message: r.message, states: 0, transitions: 0, timeMs: 0, wallMs, peakHeapBytes: 0, bytesPerState: 0, maxRssBytes };
  const violations = r.kind === 'pass' ? [] : r.violations;
  const outcome = r.kind === 'pass' ? 'pass' : r.kind === 'violation' ? 'violated' : 'incomplete';
  return {
    outcome,
    properties: violations.map((v) => v.property),
    message: violations[0]?.message,
    reason: r.kind === 'incomplete' ? r.reason : undefined,
    states: r.stats.states,
    transitions: r.stats.transitions,
    timeMs: r.stats.timeMs,
    wallMs,
    peakHeapBytes: r.stats.peakHeapBytes,
    bytesPerState: r.stats.bytesPerState,
    maxRssBytes,
  };
}

try {
  process.stdout.write(JSON.stringify(main()) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ outcome: 'error', properties: [], message: e instanceof Error ? e.message : String(e) }) + '\n');
  process.exitCode = 1;
}
