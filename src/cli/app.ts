/**
 * The command line. Exit codes (report/status.ts): 0 every expectation met, 1 a property
 * violated or a verdict that differs from its expectation, 2 a usage or model error (one line on
 * stderr, `mmcheck: error: …`, never a stack), 3 incomplete (a limit, a signal, the memory bound)
 * with nothing violated.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { ENGINE_CHOICES } from '../explore/explore.js';
import {
  DEFAULT_STRATEGY,
  STRATEGIES,
  strategiesTaking,
  strategiesWhere,
  strategyRows,
  type StrategyOption,
} from '../explore/strategies/registry.js';
import { annotation } from '../report/annotations.js';
import { onGithubActions } from './annotate.js';
import { checkCommand, type CheckArgs } from './check.js';
import { compareCommand, type CompareArgs } from './compare.js';
import { failure, oneLine, UsageError } from './errors.js';
import { choosePalette, outputWidth, type Io } from './io.js';
import { renderList } from './list.js';
import { REPO_ROOT, registry } from './load.js';
import { replayCommand, type ReplayArgs } from './replay.js';
import { refuseBooleanValues, refuseRepeats } from './options.js';
import { EXIT_OK, EXIT_USAGE } from './shared.js';
import { verifyCommand } from './verify.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

// Numeric options are taken as text and checked in options.ts (intOption, secondsOption), so that
// an error names what was given (yargs' number type turns `lots` into NaN).
const common = {
  color: {
    type: 'boolean',
    default: true,
    describe: 'Colour the output (only on a terminal; NO_COLOR is respected). --no-color turns it off',
  },
  width: {
    type: 'string',
    describe: "Output width in columns (default: the terminal's; 80 in a pipe)",
    requiresArg: true,
  },
} as const;
const traceOpts = {
  format: {
    type: 'string',
    choices: ['text', 'mail'],
    default: 'text',
    describe: 'Counterexamples as text, or as plain text ≤72 columns for linux-mm mail (one column per CPU)',
    requiresArg: true,
  },
  itf: {
    type: 'string',
    describe: 'Also write the (first) counterexample to this file in the Informal Trace Format (JSON)',
    requiresArg: true,
  },
} as const;
const htmlOpt = {
  html: {
    type: 'string',
    describe: 'Also write a self-contained HTML page (verdicts, counterexamples as swimlanes) to this file',
    requiresArg: true,
  },
} as const;

const paramOpt = { type: 'string', describe: 'Model parameter NAME=INTEGER (repeatable)', requiresArg: true } as const;
const variantOpt = { type: 'string', describe: "Variant (default: the model's first)", requiresArg: true } as const;
const engineOpt = {
  type: 'string',
  choices: ENGINE_CHOICES as string[],
  default: 'auto',
  describe:
    'compiled: flat state vectors of a model-language model (every strategy); reference: states as objects (the semantics, and 0.1-API models); auto: compiled when the model can run on it',
  requiresArg: true,
} as const;
const modelArg = { type: 'string', describe: 'Registry name or path to a .js/.mjs/.ts model file' } as const;
const jsonOpt = {
  json: {
    type: 'string',
    describe:
      'JSON (docs/schema/mmcheck.schema.json): --json alone prints it instead of the text; --json FILE also writes it there',
  },
} as const;
const outputOpts = {
  ...jsonOpt,
  junit: { type: 'string', describe: 'Also write JUnit XML to this file', requiresArg: true },
} as const;
const quietOpt = {
  quiet: {
    type: 'boolean',
    describe: 'No progress on stderr (the live line on a terminal, the heartbeat every 15 s elsewhere)',
  },
} as const;
const limitOpts = {
  'max-states': {
    type: 'string',
    describe: 'Stop after this many distinct states (result: INCOMPLETE)',
    requiresArg: true,
  },
  'max-depth': {
    type: 'string',
    describe: 'Explore schedules up to this many steps (INCOMPLETE if cut)',
    requiresArg: true,
  },
  'time-limit': {
    type: 'string',
    describe: 'Stop the whole command after this many seconds (INCOMPLETE, exit 3)',
    requiresArg: true,
  },
  'max-memory': {
    type: 'string',
    describe:
      'Stop when the process (off-heap tables included) reaches this resident size, e.g. 4G, 512M (INCOMPLETE, exit 3; default 75% of the machine)',
    requiresArg: true,
  },
  ...quietOpt,
} as const;

const COMMANDS = ['list', 'check', 'compare', 'replay', 'verify'];

/** `--strategy random`: the strategies that take an option, for its help line. */
const only = (option: StrategyOption) => `--strategy ${strategiesTaking(option).join(' or ')}`;

/** Run the CLI on arguments (without `node main.js`); resolves to the exit code. */
export async function runCli(args: readonly string[], io: Io): Promise<number> {
  const first = args.find((a) => !a.startsWith('-'));
  if (first !== undefined && !COMMANDS.includes(first)) {
    io.err(`mmcheck: error: unknown command '${oneLine(first)}' (one of: ${COMMANDS.join(', ')}; see --help)\n`);
    return EXIT_USAGE;
  }
  let code = EXIT_OK;
  const handle = (fn: () => Promise<number>) => async () => {
    code = await fn();
  };
  const cli: Argv = yargs([...args])
    .scriptName('mmcheck')
    .usage('$0 <command> [options]\n\nExhaustive model checker for thread interleavings of Linux kernel mm paths.')
    .options(common)
    .command(
      'list',
      'List the models, their parameters, variants and properties',
      (y) => y,
      (argv) =>
        handle(() => {
          io.out(renderList(registry(), choosePalette(io, argv.color !== false), outputWidth(io, argv.width)));
          return Promise.resolve(EXIT_OK);
        })(),
    )
    .command(
      'check <model>',
      'Check one variant of a model (a registry name or a model file)',
      (y) =>
        y.positional('model', modelArg).options({
          variant: variantOpt,
          param: paramOpt,
          strategy: {
            type: 'string',
            choices: [...STRATEGIES],
            default: DEFAULT_STRATEGY,
            describe: `Search strategy: ${strategyRows()
              .map((r) => `${r.name}: ${r.describe}`)
              .join('; ')}`,
            requiresArg: true,
          },
          ...limitOpts,
          seed: { type: 'string', describe: `Random walk seed (${only('seed')})`, requiresArg: true },
          runs: { type: 'string', describe: `Random walk schedules (${only('runs')})`, requiresArg: true },
          'preemption-bound': {
            type: 'string',
            describe: `Most preemptions (${only('preemption-bound')})`,
            requiresArg: true,
          },
          property: { type: 'string', describe: 'Check only this property (repeatable)', requiresArg: true },
          'compare-naive': {
            type: 'boolean',
            describe: `Also run the naive search and report the reduction (${only('compare-naive')})`,
          },
          'lock-order': {
            type: 'boolean',
            describe: 'Also run the lockdep-style lock-order analysis (its own full pass) and report dependency cycles',
          },
          engine: engineOpt,
          reductions: {
            type: 'boolean',
            default: true,
            describe:
              "The model-language compiler's reductions (dead-local reset, local-step merging, locked-section merging); --no-reductions turns them off",
          },
          sanity: {
            type: 'boolean',
            describe:
              'Also check what the search trusts: the symmetry declaration, and the verdicts against a naive search without symmetry (a disagreement is an error, exit 2)',
          },
          symmetry: {
            type: 'boolean',
            default: true,
            describe: `Merge states that differ by a permutation of the threads the model declares symmetric (${strategiesWhere((r) => r.symmetry).join(', ')}); --no-symmetry turns it off`,
          },
          ...outputOpts,
          ...traceOpts,
          ...htmlOpt,
        }),
      (argv) => handle(() => checkCommand(argv as unknown as CheckArgs, io))(),
    )
    .command(
      'compare <model>',
      'Every variant × every property of a model in one table',
      (y) =>
        y.positional('model', modelArg).options({
          param: paramOpt,
          ...limitOpts,
          baseline: {
            type: 'string',
            describe:
              "Variant the cost columns are compared with (default: the model's first, usually the upstream code)",
            requiresArg: true,
          },
          engine: engineOpt,
          ...outputOpts,
          ...htmlOpt,
        }),
      (argv) => handle(() => compareCommand(argv as unknown as CompareArgs, io))(),
    )
    .command(
      'replay <model>',
      'Replay one schedule and show it as swimlanes',
      (y) =>
        y.positional('model', modelArg).options({
          variant: variantOpt,
          param: paramOpt,
          property: {
            type: 'string',
            describe: 'Check only this property (repeatable); other violations do not stop the replay',
            requiresArg: true,
          },
          ...jsonOpt,
          engine: {
            ...engineOpt,
            describe:
              'compiled: run the schedule on state vectors; reference: on objects; auto: compiled when the model can run on it (the same trace)',
          },
          reductions: {
            type: 'boolean',
            default: true,
            describe: "The model-language compiler's reductions; --no-reductions as the run that found the schedule",
          },
          schedule: {
            type: 'string',
            demandOption: true,
            requiresArg: true,
            describe: "Schedule, e.g. '0*3,1,0*2' (thread 0 three steps, thread 1, thread 0 twice)",
          },
          ...traceOpts,
        }),
      (argv) => handle(() => replayCommand(argv as unknown as ReplayArgs, io))(),
    )
    .command(
      'verify',
      'Check every shipped model and variant against its expectations (CI; what npm start runs)',
      (y) =>
        y.options({
          ...limitOpts,
          'lock-order': {
            type: 'boolean',
            describe: 'Also run the lock-order analysis on every variant and list its cycles',
          },
          verbose: { type: 'boolean', describe: "Also list each variant's per-property verdicts" },
          engine: engineOpt,
          ...outputOpts,
        }),
      (argv) => handle(() => verifyCommand(argv, io))(),
    )
    .middleware((argv) => {
      refuseRepeats(argv);
      refuseBooleanValues(args, (cli as unknown as { getOptions(): { boolean: string[] } }).getOptions().boolean);
    })
    .demandCommand(1, 'no command given (one of: list, check, compare, replay, verify; see --help)')
    .strict()
    .strictOptions()
    .version(version())
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, io.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs' own parse errors (YError, e.g. a flag missing its value) are usage errors too.
      if (err && err.name !== 'YError') throw err;
      throw new UsageError(msg ?? err?.message ?? 'bad command line');
    });
  let outText = '';
  try {
    await cli.parseAsync([...args], {}, (err, _argv, output) => {
      if (!err && output) outText = output;
    });
    if (outText) io.out(outText.endsWith('\n') ? outText : outText + '\n');
    return code;
  } catch (e) {
    const f = failure(e);
    io.err(f.line);
    // On GitHub Actions the failure is annotated too, as the findings of a run are (annotate.ts).
    if (onGithubActions(io))
      io.out(annotation(f.code === EXIT_USAGE ? 'error' : 'warning', {}, 'mmcheck: error', f.text) + '\n');
    return f.code;
  }
}
