/**
 * The package as another project gets it: `npm pack` (which runs prepare: the declaration build),
 * `npm install` of the tarball into a fresh project, the template model of docs/package.md
 * type-checked with tsc against the installed declarations, then run through the library
 * (check, the subpath exports) and through the installed `mmcheck` command.
 *
 * Slow (pack, install, two tsc runs): `npm run test:package`, kept out of `npm test` by
 * jest.config.json. The install is --prefer-offline: the dependencies come from the npm cache
 * that `npm ci` filled; only their metadata is asked of the registry.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-package-'));
const PROJECT = path.join(TMP, 'project');
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 64 << 20,
  });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The ```ts block after `<!-- template: my-model.ts -->` in docs/package.md. */
function template(): string {
  const doc = readFileSync(path.join(ROOT, 'docs/package.md'), 'utf8');
  const m = /<!-- template: my-model\.ts -->\s*```ts\n([\s\S]*?)\n```/.exec(doc);
  if (!m) throw new Error('docs/package.md has no template block');
  return m[1] + '\n';
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    // Check mmcheck's own declarations too, and with no @types/node: a model needs neither.
    skipLibCheck: false,
    types: [],
    outDir: 'out',
  },
  files: ['my-model.ts'],
};

let packed: { filename: string; files: { path: string }[] };

beforeAll(() => {
  // prepare runs here: the declaration build (tsconfig.build.json) into dist/.
  const out = ok(run('npm', ['pack', '--json', '--pack-destination', TMP], ROOT), 'npm pack');
  packed = (JSON.parse(out.slice(out.indexOf('\n[') + 1)) as (typeof packed)[])[0];
  mkdirSync(PROJECT);
  writeFileSync(
    path.join(PROJECT, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  // typescript: the CLI's current .ts loader (src/cli/load.ts) imports it from the project.
  const ts = (
    JSON.parse(readFileSync(path.join(ROOT, 'node_modules/typescript/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  ok(
    run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(TMP, packed.filename), `typescript@${ts}`],
      PROJECT,
    ),
    'npm install',
  );
  writeFileSync(path.join(PROJECT, 'my-model.ts'), template());
  writeFileSync(path.join(PROJECT, 'tsconfig.json'), JSON.stringify(TSCONFIG));
}, 300_000);

describe('the tarball', () => {
  test('ships the compiled entries with declarations, no sources, maps or tests', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/kernel/index.d.ts',
      'dist/properties/index.d.ts',
      'dist/models/index.d.ts',
      'dist/src/cli/main.js',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.map$|^dist\/(test|bench|scripts)\/|tsbuildinfo/.test(f))).toEqual([]);
  });

  test('installs without its sources or devDependencies', () => {
    const pkg = path.join(PROJECT, 'node_modules/mmcheck');
    expect(existsSync(path.join(pkg, 'dist/src/index.js'))).toBe(true);
    expect(existsSync(path.join(pkg, 'src'))).toBe(false);
    expect(existsSync(path.join(PROJECT, 'node_modules/jest'))).toBe(false);
  });
});

describe('a model importing mmcheck', () => {
  test('type-checks against the installed declarations (and compiles to .js)', () => {
    const r = run(process.execPath, [TSC, '-p', 'tsconfig.json'], PROJECT);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(path.join(PROJECT, 'out/my-model.js'))).toBe(true);
  });

  test('a model that misuses the API does not type-check: the declarations are real types', () => {
    writeFileSync(
      path.join(PROJECT, 'bad-model.ts'),
      "import { defineModel } from 'mmcheck';\nexport default defineModel({ name: 'x', params: {} });\n",
    );
    const r = run(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', 'bad-model.ts'], PROJECT);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/^bad-model\.ts\(2,\d+\): error TS2345: /);
    expect(r.stdout).toMatch(/missing the following properties from type 'Model<object>': title, story/);
  });

  test('runs through the library: check, the subpaths, the renderers', () => {
    writeFileSync(
      path.join(PROJECT, 'run.mjs'),
      [
        "import { check, renderSummary, STRATEGIES } from 'mmcheck';",
        "import { spinLock } from 'mmcheck/kernel';",
        "import { refcountBugs } from 'mmcheck/properties';",
        "import { models } from 'mmcheck/models';",
        "import model from './out/my-model.js';",
        'const runs = ["racy", "locked"].map((variant) => check(model, { variant }));',
        'const peterson = check(models.find((m) => m.name === "peterson"));',
        'console.log(JSON.stringify({',
        '  runs: runs.map((r) => ({ ok: r.ok, kind: r.result.kind, states: r.result.stats.states,',
        '    verdicts: r.verdicts.map((v) => `${v.property}:${v.outcome}`) })),',
        '  summary: renderSummary(runs[0].result, runs[0].ctx).split("\\n")[0],',
        '  peterson: [peterson.result.kind, peterson.result.stats.states],',
        '  strategies: STRATEGIES, spinLock: typeof spinLock, refcountBugs: refcountBugs.name,',
        '}));',
      ].join('\n'),
    );
    const out = JSON.parse(ok(run(process.execPath, ['run.mjs'], PROJECT), 'node run.mjs')) as unknown;
    expect(out).toEqual({
      runs: [
        {
          ok: true,
          kind: 'violation',
          states: 13,
          verdicts: ['both-counted:violated', 'lock-misuse:holds', 'deadlock-free:holds'],
        },
        {
          ok: true,
          kind: 'pass',
          states: 17,
          verdicts: ['both-counted:holds', 'lock-misuse:holds', 'deadlock-free:holds'],
        },
      ],
      // check() runs the default strategy, auto: on models this small, its first naive run.
      summary: 'VIOLATED    lost-update/racy: both-counted (exhaustive naive search)',
      peterson: ['pass', 42],
      strategies: ['auto', 'dfs', 'bfs', 'preempt', 'random', 'naive', 'odpor'],
      spinLock: 'function',
      refcountBugs: 'refcount',
    });
  });

  test('internals are not importable: the exports map refuses dist/ paths', () => {
    const r = run(process.execPath, ['-e', "import('mmcheck/dist/src/core/model.js')"], PROJECT);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});

describe('the installed mmcheck command', () => {
  const bin = () => path.join(PROJECT, 'node_modules/.bin/mmcheck');

  test('checks the compiled .js model: the racy variant fails with a trace, the locked one passes', () => {
    const racy = run(bin(), ['check', './out/my-model.js'], PROJECT);
    expect(racy.stderr).toBe('');
    expect(racy.status).toBe(1);
    expect(racy.stdout).toMatch(/^VIOLATED\s+\.\/out\/my-model\.js\/racy: both-counted/);
    expect(racy.stdout).toMatch(/both-counted \(end\) violated after step 4: counter = 1 after two increments/);
    const locked = run(bin(), ['check', './out/my-model.js', '--variant', 'locked'], PROJECT);
    expect(locked.status).toBe(0);
    expect(locked.stdout).toMatch(/^PASS\s+\.\/out\/my-model\.js\/locked/);
  });

  test('checks the .ts model itself (today through the typescript package the project has)', () => {
    const r = run(bin(), ['check', './my-model.ts', '--variant', 'locked'], PROJECT);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^PASS\s+\.\/my-model\.ts\/locked: no property violated/);
  });
});
