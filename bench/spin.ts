/**
 * Side-by-side benchmark of mmcheck and SPIN on the same models (issue 6, item 4):
 *
 *   npm run bench:spin [-- --only upstream,readers --sizes 1,2,3 --timeout 120 --no-symmetry
 *                          --mm-opt key=value --spin-mem collapse|hc|plain --spin-w k --out docs/bench-spin.md
 *                          --no-write --all-variants --note 'text for the markdown' --equivalence
 *                          --emit bench/spin/pml --emit-size 2]
 *
 * For each language model and variant in the plan (bench/spin/index.ts) and each size: mmcheck's explore()
 * (the default strategy, auto, every property, to the first violation) in a fresh worker process, and
 * SPIN on the generated Promela (`spin -a`, `gcc -O2 -DSAFETY -DCOLLAPSE`, `./pan -m… -w…`, POR
 * on, to the first error), each limited to --timeout seconds. A checker that runs out of time at
 * one size is not run at larger sizes; the sizes stop when both have. Prints the verdicts (which
 * must agree: a disagreement is printed loudly and makes the exit status 1), states stored, and
 * time to verdict measured the same way for both:
 *   - total: mmcheck from spawning its worker to receiving its verdict (node's start, module
 *     loading, instantiate, explore()); SPIN spin -a + gcc + pan;
 *   - search: mmcheck's explore() alone; SPIN's pan process;
 *   - warm (mmcheck only, informative, in no ratio): instantiate + explore() run a second time in
 *     the same worker (JIT warm), skipped after a first search over 10 s;
 * the ratios mmcheck/SPIN total/total and search/search, peak RSS (both) and bytes per state,
 * then a summary of the sizes at which mmcheck is slower on the migration-vs-fault fix variants.
 * Writes the table as markdown (date and machine included) to --out. A bad flag is a one-line
 * error, exit 2. Installs the Debian package `spin` when it is missing (apt-get, as root).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BenchArgs, UsageError, benchMain } from './args.js';
import { MM_STRATEGY, WARM_LIMIT_MS, equivalence, measure, type Measurement, type RunConfig } from './spin/compare.js';
import { TRANSLATIONS, nameOf, promelaOf, type Translation } from './spin/index.js';
import { DEFAULT_SPIN, ensureSpin, toolVersions, type SpinSettings } from './spin/pan.js';
import { models } from '../models/index.js';
import { summary } from './spin/summary.js';
import { markdownTable, row, textTable } from './spin/table.js';

const FLAGS = {
  only: 'value',
  sizes: 'value',
  timeout: 'value',
  'no-symmetry': 'flag',
  'mm-opt': 'values',
  'spin-mem': 'value',
  'spin-w': 'value',
  out: 'value',
  'no-write': 'flag',
  'all-variants': 'flag',
  note: 'value',
  emit: 'value',
  'emit-size': 'value',
  equivalence: 'flag',
} as const;

let args: BenchArgs;
const flag = (name: keyof typeof FLAGS) => args.flag(name);
const value = (name: keyof typeof FLAGS) => args.value(name);
const log = (s: string) => console.error(s);

function fail(msg: string): never {
  throw new UsageError(msg);
}

/** The worker's explore() options: the CLI's defaults (symmetry, the engine `auto` picks), then the flags'. */
function mmOptions(): Record<string, unknown> {
  const out: Record<string, unknown> = { engine: 'auto' };
  if (flag('no-symmetry')) out.symmetry = false;
  for (const kv of args.values('mm-opt')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) fail(`--mm-opt needs key=value, got '${kv}'`);
    const raw = kv.slice(eq + 1);
    try {
      out[kv.slice(0, eq)] = JSON.parse(raw);
    } catch {
      out[kv.slice(0, eq)] = raw;
    }
  }
  return out;
}

function spinSettings(timeoutMs: number): SpinSettings {
  const mem = value('spin-mem') ?? 'collapse';
  const defines =
    mem === 'collapse'
      ? ['-DCOLLAPSE']
      : mem === 'hc'
        ? ['-DHC4']
        : mem === 'plain'
          ? []
          : fail(`--spin-mem must be collapse, hc or plain`);
  return { ...DEFAULT_SPIN, timeoutMs, defines };
}

/**
 * pan -w: --spin-w if given, else the hash table sized as a SPIN user would, from the states the
 * previous size stored (×8, for growth), between 2^16 and 2^26 slots: pan's default -w24 spends
 * a third of a second clearing 128 MB on a model of a hundred states and is slower than -w20 on
 * a million.
 */
function hashBits(previousStates: number): number {
  const fixed = value('spin-w');
  if (fixed !== undefined) {
    const k = Number(fixed);
    return Number.isInteger(k) && k >= 10 && k <= 32
      ? k
      : fail(`--spin-w must be an integer from 10 to 32, got '${fixed}'`);
  }
  return Math.min(26, Math.max(16, Math.ceil(Math.log2(Math.max(previousStates, 1000) * 8))));
}

function selected(): Translation[] {
  const only = args.list('only');
  const all = flag('all-variants');
  const matches = (o: string, t: Translation) => o === nameOf(t) || o === t.model || o === t.variant;
  const unmatched = only?.filter((o) => !TRANSLATIONS.some((t) => matches(o, t))) ?? [];
  if (unmatched.length)
    fail(`--only: ${unmatched.join(', ')} matches nothing (known: ${TRANSLATIONS.map(nameOf).join(', ')})`);
  return TRANSLATIONS.filter((t) => (only ? only.some((o) => matches(o, t)) : (all && t.planned) || t.byDefault));
}

function sizesOf(t: Translation): readonly number[] {
  const s = value('sizes');
  if (!s || !t.param) return t.sizes;
  const list = args.list('sizes')!.map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 1)) fail(`--sizes must be positive integers, got '${s}'`);
  const spec = models.find((m) => m.name === t.model)!.params[t.param];
  return list.filter((n) => n >= spec.min && n <= spec.max);
}

function emitAll(dir: string, size: number): void {
  mkdirSync(dir, { recursive: true });
  for (const t of TRANSLATIONS.filter((x) => x.planned)) {
    const n = t.param ? Math.max(size, t.sizes[0]) : t.sizes[0];
    const file = join(dir, `${nameOf(t).replace('/', '--')}${t.param ? `.${t.param}${n}` : ''}.pml`);
    writeFileSync(file, promelaOf(t, n).text);
    log(`wrote ${file}`);
  }
}

function machine(): string {
  const sh = (c: string) => {
    try {
      return execSync(c, { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  const cpu = sh("lscpu | sed -n 's/^Model name: *//p'");
  return `${sh('nproc')} CPUs (${cpu}), ${sh("free -g | awk '/^Mem:/{print $2}'")} GB RAM, ${sh('uname -sr')}`;
}

interface Picked {
  readonly t: Translation;
  readonly sizes: readonly number[];
}

/** --equivalence: naive mmcheck vs SPIN without reduction, every property, small sizes. */
async function equivalenceRun(cfg: RunConfig, picked: readonly Picked[]): Promise<void> {
  let bad = 0;
  console.log(
    'model | N | mmcheck naive states | SPIN -DNOREDUCE states | difference | mmcheck violated | SPIN violated | same',
  );
  for (const { t, sizes } of picked)
    for (const n of sizes) {
      const e = await equivalence(t, n, cfg);
      if (!e.sameProperties || e.mm.outcome === 'error' || e.spin.outcome === 'error') bad++;
      const props = (xs: readonly string[]) => [...xs].sort().join(', ') || '–';
      console.log(
        [
          nameOf(t),
          n,
          e.mm.states,
          e.spin.states,
          e.spin.states - e.mm.states,
          `${e.mm.outcome}: ${props(e.mm.properties)}`,
          `${e.spin.outcome}: ${props(e.spin.properties)}`,
          e.sameProperties ? 'yes' : 'NO',
        ].join(' | '),
      );
    }
  rmSync(cfg.workDir, { recursive: true, force: true });
  if (bad) {
    console.log(`!!! ${bad} mismatch(es)`);
    process.exitCode = 1;
  }
}

async function main(): Promise<void> {
  args = new BenchArgs(FLAGS);
  const emitDir = value('emit');
  if (emitDir) return emitAll(emitDir, args.integer('emit-size', 2));
  const timeoutMs = args.number('timeout', 120) * 1000;
  // Every flag checked before anything runs.
  const spin = spinSettings(timeoutMs);
  const mmOpts = mmOptions();
  const picked: Picked[] = selected().map((t) => ({ t, sizes: sizesOf(t) }));
  if (value('spin-w') !== undefined) hashBits(0);
  if (!ensureSpin(log)) {
    console.error(
      'bench:spin: SPIN is not installed and `apt-get install -y spin` failed (root and a reachable Debian mirror are needed). Install the `spin` package and re-run.',
    );
    process.exit(1);
  }
  const workDir = mkdtempSync(join(tmpdir(), 'mmcheck-spin-'));
  const cfg: RunConfig = { timeoutMs, spin, mmOptions: mmOpts, workDir };
  const versions = toolVersions();
  const started = new Date();
  log(
    `${versions.spin}; ${versions.gcc}; node ${process.version}; timeout ${timeoutMs / 1000} s per run; work dir ${workDir}`,
  );
  if (flag('equivalence')) return equivalenceRun(cfg, picked);
  const results: Measurement[] = [];
  for (const { t, sizes } of picked) {
    let mmOut = false;
    let spinOut = false;
    let spinStates = 0;
    for (const n of sizes) {
      if (mmOut && spinOut) break;
      const m = await measure(t, n, { ...cfg, spin: { ...cfg.spin, hashBits: hashBits(spinStates) } }, mmOut, spinOut);
      spinStates = m.spin?.states ?? spinStates;
      mmOut ||= m.mm?.outcome === 'incomplete';
      spinOut ||= m.spin?.outcome === 'incomplete';
      results.push(m);
      const r = row(m);
      log(`  ${r.slice(0, 13).join('  ')}${m.note ? `  [${m.note}]` : ''}`);
      if (m.agreement === 'DISAGREE') log(`!!! VERDICTS DISAGREE on ${nameOf(t)} N=${n}: ${m.note ?? ''}`);
      for (const x of [m.mm, m.spin])
        if (x?.outcome === 'error')
          log(
            `!!! error on ${nameOf(t)} N=${n}: ${(x as { reason?: string; message?: string }).reason ?? (x as { message?: string }).message}`,
          );
    }
  }
  rmSync(workDir, { recursive: true, force: true });
  const rows = results.map(row);
  const disagreements = results.filter((m) => m.agreement === 'DISAGREE');
  const summaryLines = summary(results);
  console.log(`\n${textTable(rows)}\n`);
  if (summaryLines.length) console.log(`${summaryLines.join('\n')}\n`);
  const settings = [
    `SPIN: \`spin -a\`; \`gcc -O2 -DSAFETY ${cfg.spin.defines.join(' ')} -DMEMLIM=${cfg.spin.memLimitMb}\`; \`./pan -m${cfg.spin.depth} -w<k> -n\` with k = ${value('spin-w') ?? 'log2(8 × the states SPIN stored at the previous size), 16..26'} (partial-order reduction on, stop at the first error); SPIN ms (total) = spin -a + gcc + pan, SPIN ms (search) = the pan process (wall time)`,
    `mmcheck: \`explore(inst, ${JSON.stringify({ strategy: MM_STRATEGY, stopAtFirst: true, ...cfg.mmOptions })})\` in a fresh worker process (every property, to the first violation); mmcheck ms (total) = from spawning the worker to receiving its verdict (node start, module loading, instantiate, explore), mmcheck ms (search) = explore() alone`,
    `mmcheck ms (warm): the same instantiate + explore() run a second time in the same worker process after the timed one (JIT warm; skipped when the first search took over ${WARM_LIMIT_MS / 1000} s); informative only, in no ratio`,
    `ratios: time mm/SPIN (total) = mmcheck total / SPIN total, (search) = mmcheck search / SPIN search, both only where both checkers finished`,
    `timeout ${timeoutMs / 1000} s per run; a checker out of time at one size is not run at larger ones`,
  ];
  const notes = results.filter((m) => m.note).map((m) => `- ${nameOf(m.t)} N=${m.n}: ${m.agreement}: ${m.note}`);
  if (disagreements.length)
    console.log(
      `!!! ${disagreements.length} DISAGREEMENT(S): ${disagreements.map((m) => `${nameOf(m.t)} N=${m.n}`).join(', ')}`,
    );
  else console.log('verdicts: every finished pair agrees');
  const out = value('out') ?? 'docs/bench-spin.md';
  if (!flag('no-write')) {
    const md = [
      '# mmcheck vs SPIN',
      '',
      `Measured ${started.toISOString().replace(/\.\d+Z$/, 'Z')} on ${machine()}; node ${process.version}; ${versions.spin}; ${versions.gcc}.`,
      'Generated by `npm run bench:spin` (see [spin-comparison.md](spin-comparison.md) for the Promela generator and the settings).',
      ...(value('note') ? ['', value('note')!] : []),
      '',
      ...settings.map((s) => `- ${s}`),
      '',
      markdownTable(rows),
      '',
      ...(summaryLines.length ? [...summaryLines, ''] : []),
      disagreements.length
        ? `**${disagreements.length} disagreement(s)** — see the notes.`
        : 'Every pair of finished verdicts agrees.',
      ...(notes.length ? ['', 'Notes:', ...notes] : []),
      '',
    ].join('\n');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, md);
    log(`wrote ${out}`);
  }
  if (disagreements.length) process.exitCode = 1;
}

// A non-usage error rejects the promise and ends the process with its stack (an unhandled rejection).
void benchMain('bench:spin', main);
