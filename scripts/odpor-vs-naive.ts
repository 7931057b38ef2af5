/**
 * odpor against the naive search on the shipped kernel models (docs/odpor.md): for every variant
 * at the given parameters, the verdicts of both searches (every property, stopAtFirst off), and
 * the maximal states (terminal or deadlocked, reached without an assertion) — every one the
 * naive reachability finds must end some execution odpor explores, and no other. A run cut short
 * by the time limit compares only what it found (a subset is then expected).
 *
 *   node dist/scripts/odpor-vs-naive.js [--time 60] [--only MODEL] [--param exec=0 ...] [--no-reductions]
 */
import { parseArgs } from 'node:util';
import { instantiate, type Instance } from '../src/core/instantiate.js';
import { explore } from '../src/explore/explore.js';
import { searchOdpor } from '../src/explore/strategies/odpor/odpor.js';
import type { SearchResult } from '../src/explore/results/result.js';
import { System, type GState } from '../src/explore/system/system.js';
import { verdicts } from '../src/explore/results/verdicts.js';
import { instantiateWith, isLangModel, NO_REDUCTIONS } from '../src/lang/index.js';
import { models } from '../models/index.js';

const KERNEL = [
  'rmap-vs-vma-adjust',
  'mremap-vs-rmap-walk',
  'migration-vs-fault',
  'spf-seqcount',
  'put-and-wait-vs-migration',
];
/** Most naive states explored per instance (the reachability below keeps them all). */
const MAX_STATES = 2_000_000;

const { values } = parseArgs({
  options: {
    time: { type: 'string', default: '60' },
    only: { type: 'string' },
    param: { type: 'string', multiple: true, default: [] },
    'no-reductions': { type: 'boolean', default: false },
  },
});
const timeLimitMs = Number(values.time) * 1000;
const params = Object.fromEntries(values.param.map((p) => [p.split('=')[0], Number(p.split('=')[1])]));

const key = (sys: System, g: GState) => Array.from(sys.fingerprint(g)).join(',');

/** The maximal states every search must reach: nothing enabled, reached without an assertion. */
function maximalStates(sys: System): Set<string> | null {
  const seen = new Set<string>();
  const out = new Set<string>();
  const todo: GState[] = [sys.initial()];
  seen.add(key(sys, todo[0]));
  while (todo.length > 0) {
    const g = todo.pop()!;
    const en = sys.enabledMask(g);
    if (en === 0) out.add(key(sys, g));
    for (let p = 0; p < sys.n; p++) {
      if ((en & (1 << p)) === 0) continue;
      const ex = sys.exec(g, p);
      if (ex.violation) continue;
      const k = key(sys, ex.g);
      if (seen.has(k)) continue;
      if (seen.size >= MAX_STATES) return null;
      seen.add(k);
      todo.push(ex.g);
    }
  }
  return out;
}

/** odpor's result and the maximal states its executions end in (an assertion's excluded). */
function odporStates(sys: System): { result: SearchResult; ends: Set<string> } {
  const ends = new Set<string>();
  const result = searchOdpor(sys, {
    stopAtFirst: false,
    timeLimitMs,
    onExecution: (schedule, end) => {
      if (end !== 'maximal') return;
      let g = sys.initial();
      for (const t of schedule) {
        const ex = sys.exec(g, t);
        if (ex.violation) return;
        g = ex.g;
      }
      if (sys.enabledMask(g) === 0) ends.add(key(sys, g));
    },
  });
  return { result, ends };
}

const outcomes = (inst: Instance, r: SearchResult) =>
  verdicts(inst, r)
    .map((v) => `${v.property}:${v.outcome}`)
    .join(' ');

const violated = (inst: Instance, r: SearchResult) =>
  new Set(
    verdicts(inst, r)
      .filter((v) => v.outcome === 'violated')
      .map((v) => v.property),
  );

/** Verdicts: equal to naive's when both searches completed; else every violation odpor found is naive's. */
function compareVerdicts(inst: Instance, odpor: SearchResult, naive: SearchResult): string {
  if (odpor.kind !== 'incomplete' && naive.kind !== 'incomplete')
    return `verdicts ${outcomes(inst, odpor) === outcomes(inst, naive) ? '=' : '≠'} naive`;
  const want = violated(inst, naive);
  const found = [...violated(inst, odpor)];
  const wrong = found.filter((p) => !want.has(p));
  return `violations found ${found.length} of naive's ${want.size}${wrong.length ? `, NOT naive's: ${wrong.join(' ')}` : ''}`;
}

function check(inst: Instance): string {
  const sys = new System(inst, undefined, { symmetry: false });
  const naive = explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false, timeLimitMs });
  const odpor = odporStates(sys);
  const r = odpor.result;
  const executions = r.kind === 'error' ? '-' : String(r.stats.executions);
  const head = `${inst.variant.padEnd(30)} odpor ${r.kind.padEnd(10)} ${executions.padStart(8)} executions`;
  if (r.kind === 'error') return `${head}  ERROR ${r.message}`;
  const verdictText = compareVerdicts(inst, r, naive);
  const want = naive.kind === 'incomplete' ? null : maximalStates(sys);
  if (want === null) return `${head}  ${verdictText}; naive too large for the state comparison`;
  const missed = [...want].filter((x) => !odpor.ends.has(x)).length;
  const extra = [...odpor.ends].filter((x) => !want.has(x)).length;
  return `${head}  ${verdictText}; maximal states ${want.size}, odpor missed ${missed}, extra ${extra}`;
}

for (const m of models.filter((x) => KERNEL.includes(x.name) && isLangModel(x))) {
  if (values.only && values.only !== m.name) continue;
  console.log(`${m.name} ${JSON.stringify(params)}${values['no-reductions'] ? ' --no-reductions' : ''}`);
  for (const v of Object.keys(m.variants)) {
    const own = Object.fromEntries(Object.entries(params).filter(([p]) => p in m.params));
    const inst = values['no-reductions'] ? instantiateWith(m, NO_REDUCTIONS, v, own) : instantiate(m, v, own);
    console.log(`  ${check(inst)}`);
  }
}
