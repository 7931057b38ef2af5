/**
 * The command line. Exit codes: 0 all good, 1 a violation / unmet expectation / incomplete
 * search, 2 a usage or model error (one line on stderr, `mmcheck: error: …`, never a stack).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { ModelError, errorMessage } from '../core/errors.js';
import { STRATEGIES } from '../explore/explore.js';
import { checkCommand, type CheckArgs } from './check.js';
import { compareCommand, type CompareArgs } from './compare.js';
import { oneLine, UsageError } from './errors.js';
import { choosePalette, type Io } from './io.js';
import { renderList } from './list.js';
import { REPO_ROOT, registry } from './load.js';
import { replayCommand, type ReplayArgs } from './replay.js';
import { refuseRepeats } from './options.js';
import { EXIT_OK, EXIT_USAGE } from './shared.js';
import { verifyCommand, type VerifyArgs } from './verify.js';

function version(): string {
  try {
    return JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

const common = {
  color: {
    type: 'boolean',
    default: true,
    describe: 'Colour the output (only on a terminal; NO_COLOR is respected). --no-color turns it off',
  },
} as const;

const paramOpt = { type: 'string', describe: 'Model parameter NAME=INTEGER (repeatable)', requiresArg: true } as const;
const variantOpt = { type: 'string', describe: "Variant (default: the model's first)", requiresArg: true } as const;
const modelArg = { type: 'string', describe: 'Registry name or path to a .js/.mjs/.ts model file' } as const;
const outputOpts = {
  json: { type: 'boolean', describe: 'Print JSON instead of text' },
  junit: { type: 'string', describe: 'Also write JUnit XML to this file', requiresArg: true },
} as const;
const limitOpts = {
  'max-states': {
    type: 'number',
    describe: 'Stop after this many distinct states (result: INCOMPLETE)',
    requiresArg: true,
  },
  'max-depth': {
    type: 'number',
    describe: 'Explore schedules up to this many steps (INCOMPLETE if cut)',
    requiresArg: true,
  },
  'time-limit': { type: 'number', describe: 'Stop after this many seconds (INCOMPLETE)', requiresArg: true },
} as const;

const COMMANDS = ['list', 'check', 'compare', 'replay', 'verify'];

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
      handle(async () => {
        io.out(renderList(registry(), choosePalette(io, true)));
        return EXIT_OK;
      }),
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
            choices: STRATEGIES as string[],
            default: 'dfs',
            describe: 'Search strategy',
            requiresArg: true,
          },
          ...limitOpts,
          seed: { type: 'number', describe: 'Random walk seed (--strategy random)', requiresArg: true },
          runs: { type: 'number', describe: 'Random walk schedules (--strategy random)', requiresArg: true },
          'preemption-bound': { type: 'number', describe: 'Most preemptions (--strategy preempt)', requiresArg: true },
          property: { type: 'string', describe: 'Check only this property (repeatable)', requiresArg: true },
          'compare-naive': { type: 'boolean', describe: 'Also run the naive search and report the reduction (dfs)' },
          'lock-order': {
            type: 'boolean',
            describe: 'Also run the lockdep-style lock-order analysis (its own full pass) and report dependency cycles',
          },
          sanity: {
            type: 'boolean',
            describe:
              'Also check what the search trusts: the symmetry declaration, and the verdicts against a naive search without symmetry (a disagreement is an error, exit 2)',
          },
          symmetry: {
            type: 'boolean',
            default: true,
            describe:
              'Merge states that differ by a permutation of the threads the model declares symmetric (dfs, naive, bfs); --no-symmetry turns it off',
          },
          ...outputOpts,
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
          schedule: {
            type: 'string',
            demandOption: true,
            describe: "Schedule, e.g. '0*3,1,0*2' (thread 0 three steps, thread 1, thread 0 twice)",
          },
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
          ...outputOpts,
        }),
      (argv) => handle(() => verifyCommand(argv as unknown as VerifyArgs, io))(),
    )
    .middleware((argv) => refuseRepeats(argv))
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
    const msg = e instanceof ModelError ? e.message : `internal error: ${errorMessage(e)}`;
    io.err(`mmcheck: error: ${oneLine(msg)}\n`);
    return EXIT_USAGE;
  }
}
