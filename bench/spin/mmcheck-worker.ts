/**
 * One mmcheck run in its own process, so that its time and peak memory are its own:
 *
 *   node dist/bench/spin/mmcheck-worker.js '<json request>'
 *
 * The request names the model, variant and parameters, the explore() options (strategy, limits,
 * stopAtFirst, properties, and anything else such as `symmetry`, passed through unchanged).
 * The worker prints one JSON line as soon as the search is over: the outcome, the violated
 * properties, the search statistics, the wall time of explore() alone (`searchMs`) and the
 * process's peak RSS so far. The parent times the worker from spawn to that line (mmcheck's
 * time to verdict, node's start and module loading included).
 *
 * With `warmLimitMs` in the request, the worker then instantiates the same model again and runs
 * the same search a second time in the same process (V8's JIT already warm: the analogue of a
 * pan already compiled), and prints a second line `{"warmMs": …}` (instantiate + explore), or
 * `{"warmMs": null}` when the first search took longer than warmLimitMs or did not finish.
 */
import { instantiateWith, NO_REDUCTIONS } from '../../src/lang/index.js';
import { explore, type ExploreOptions } from '../../src/explore/explore.js';
import { models } from '../../models/index.js';

export interface WorkerRequest {
  readonly model: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly options: ExploreOptions & Readonly<Record<string, unknown>>;
  /**
   * Run the search a second time in the same process and report its time (second line), unless
   * the first search took longer than this many ms (it would double the benchmark's length).
   */
  readonly warmLimitMs?: number;
}

export interface WorkerResult {
  readonly outcome: 'pass' | 'violated' | 'incomplete' | 'error';
  readonly properties: readonly string[];
  readonly message?: string;
  readonly reason?: string;
  readonly states: number;
  readonly transitions: number;
  /** Wall time of explore() in the worker (instantiate and the process start excluded). */
  readonly searchMs: number;
  readonly peakHeapBytes: number;
  readonly bytesPerState: number;
  /** The worker's peak RSS when the first search ended. */
  readonly maxRssBytes: number;
}

function load(req: WorkerRequest) {
  const model = models.find((m) => m.name === req.model);
  if (!model) throw new Error(`no model ${req.model}`);
  // The generated Promela is compiled with the same reductions (off: bench/spin/index.ts instanceOf).
  return () => instantiateWith(model, NO_REDUCTIONS, req.variant, req.params);
}

function search(req: WorkerRequest): WorkerResult {
  const inst = load(req)();
  const t0 = performance.now();
  const r = explore(inst, req.options);
  const searchMs = performance.now() - t0;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  if (r.kind === 'error')
    return {
      outcome: 'error',
      properties: [],
      message: r.message,
      states: 0,
      transitions: 0,
      searchMs,
      peakHeapBytes: 0,
      bytesPerState: 0,
      maxRssBytes,
    };
  const violations = r.kind === 'pass' ? [] : r.violations;
  const outcome = r.kind === 'pass' ? 'pass' : r.kind === 'violation' ? 'violated' : 'incomplete';
  return {
    outcome,
    properties: violations.map((v) => v.property),
    message: violations[0]?.message,
    reason: r.kind === 'incomplete' ? r.reason : undefined,
    states: r.stats.states,
    transitions: r.stats.transitions,
    searchMs,
    peakHeapBytes: r.stats.peakHeapBytes,
    bytesPerState: r.stats.bytesPerState,
    maxRssBytes,
  };
}

/** The second run: a fresh instance, the same search, timed from instantiate to the end of explore(). */
function warmMs(req: WorkerRequest, first: WorkerResult): number | null {
  if (first.searchMs > (req.warmLimitMs ?? 0) || (first.outcome !== 'pass' && first.outcome !== 'violated'))
    return null;
  const t0 = performance.now();
  explore(load(req)(), req.options);
  return performance.now() - t0;
}

const req = JSON.parse(process.argv[2]) as WorkerRequest;
let first: WorkerResult | undefined;
try {
  first = search(req);
  process.stdout.write(JSON.stringify(first) + '\n');
  if (req.warmLimitMs !== undefined) process.stdout.write(JSON.stringify({ warmMs: warmMs(req, first) }) + '\n');
} catch (e) {
  if (!first)
    process.stdout.write(
      JSON.stringify({ outcome: 'error', properties: [], message: e instanceof Error ? e.message : String(e) }) + '\n',
    );
  process.exitCode = 1;
}
