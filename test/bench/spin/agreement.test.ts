/**
 * SPIN on the generated Promela agrees with mmcheck (bench/spin/generate, pan.ts): on the classic
 * models and some migration-vs-fault variants at readers = 1–2, SPIN without partial-order
 * reduction and past every error (-DNOREDUCE, pan -c0) finds exactly the properties mmcheck's
 * naive search finds, and stores at least as many states (mmcheck's plus init's own).
 * Needs `spin` and gcc (.ci/run installs them; on a developer machine `apt-get install -y spin`):
 * without spin each case fails with that one line, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { explore } from '../../../src/explore/explore.js';
import { instantiateWith, NO_REDUCTIONS } from '../../../src/lang/index.js';
import { models } from '../../../models/index.js';
import { generate, MODEL_ERROR } from '../../../bench/spin/generate/index.js';
import { DEFAULT_SPIN, runSpin } from '../../../bench/spin/pan.js';

const haveSpin = spawnSync('spin', ['-V']).status === 0;

const CASES: readonly [model: string, variant: string, params: Record<string, number>][] = [
  ['peterson', 'no-turn', {}],
  ['philosophers', 'naive', { n: 3 }],
  ['readers', 'readers', { n: 2 }],
  ['lastzero', 'lastzero', { n: 2 }],
  ['filesystem', 'filesystem', { n: 2 }],
  ['indexer', 'indexer', { n: 2 }],
  ['migration-vs-fault', 'upstream', { readers: 1 }],
  ['migration-vs-fault', 'opt2-xchg', { readers: 2 }],
  ['migration-vs-fault', 'opt3-freeze-first', { readers: 1 }],
  ['migration-vs-fault', 'opt3-freeze-first-put', { readers: 1 }],
];

const work = mkdtempSync(join(tmpdir(), 'mmcheck-spin-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('SPIN on the generated Promela', () => {
  for (const [name, variant, params] of CASES)
    it(`${name}/${variant} ${JSON.stringify(params)}: the same violated properties as mmcheck`, () => {
      if (!haveSpin) throw new Error('spin is not on the PATH: apt-get install -y spin (.ci/run does)');
      const inst = instantiateWith(
        models.find((m) => m.name === name)!,
        NO_REDUCTIONS,
        variant,
        params,
      );
      const mm = explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false });
      if (mm.kind === 'error' || mm.kind === 'incomplete') throw new Error(`mmcheck: ${mm.kind}`);
      const found = mm.kind === 'pass' ? [] : mm.violations.map((v) => v.property);
      const gen = generate(inst);
      const spin = runSpin(
        gen.text,
        join(work, `${name}-${variant}`),
        [...inst.properties.map((p) => p.name), MODEL_ERROR],
        { ...DEFAULT_SPIN, hashBits: 18, optimize: '-O0', defines: ['-DNOREDUCE'] },
        { allErrors: true, terminal: gen.dumped.length ? (text: string) => gen.checkTerminal(text) : undefined },
      );
      expect(spin.reason).toBeUndefined();
      expect([...spin.properties].sort()).toEqual([...new Set(found)].sort());
      expect(spin.states).toBeGreaterThanOrEqual(mm.stats.states);
    }, 180_000);
});
