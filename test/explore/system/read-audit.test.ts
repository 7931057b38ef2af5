/**
 * The read audit (part of --sanity): a step whose behaviour depends on a location its footprint
 * does not declare is a footprint-read error naming the step and the location; a value only
 * copied along is not a read.
 */
import { describe, expect, test } from '@jest/globals';
import { reads, writes } from '../../../src/core/access.js';
import type { Step } from '../../../src/core/step.js';
import { thread } from '../../../src/core/thread.js';
import { searchNaive } from '../../../src/explore/strategies/naive.js';
import { System } from '../../../src/explore/system/system.js';
import { program } from '../../helpers/program.js';
import { put } from '../../helpers/steps.js';

type S = Readonly<Record<string, number>>;

/** T0 runs `step`; T1 names x and y in its footprint (so both are audited) and writes y. */
function audited(step: Step<S, { r: number }>): string {
  const inst = program({
    name: 'audit',
    init: { x: 0, y: 0 },
    threads: [
      thread('T0', { r: 0 }, [step]),
      thread('T1', {}, [put('y', 1), { label: 'peek x', footprint: () => reads('x'), run: () => ({}) }]),
    ],
  });
  const r = searchNaive(new System(inst, undefined, { auditReads: true }), { stopAtFirst: false });
  return r.kind === 'error' ? `${r.code}: ${r.message}` : r.kind;
}

describe('read audit', () => {
  test('a value read into the locals, outside the footprint; a value copied along is not read', () => {
    expect(audited({ label: 'r = x', footprint: () => reads('X'), run: (s) => ({ l: { r: s.x } }) })).toBe(
      "footprint-read: model 'audit' thread 'T0' step 'r = x' read 'x', which its footprint does not declare (writes: none; reads: X)",
    );
    expect(audited({ label: 'r = x', footprint: () => reads('x'), run: (s) => ({ l: { r: s.x } }) })).toBe('pass');
    // x and y copied along by a spread are not read.
    const copy: Step<S, { r: number }> = {
      label: 'z = 1',
      footprint: () => writes('z'),
      run: (s) => ({ s: { ...s, z: 1 } }),
    };
    expect(audited(copy)).toBe('pass');
  });

  test('a branch on a threshold, and a guard, are reads', () => {
    const branch: Step<S, { r: number }> = {
      label: 'if (x > 5) goto exit',
      footprint: () => [],
      run: (s) => (s.x > 5 ? { goto: 'exit' } : {}),
    };
    expect(audited(branch)).toMatch(/^footprint-read: .* step 'if \(x > 5\) goto exit' read 'x'/);
    const guarded: Step<S, { r: number }> = {
      label: 'await y == 1',
      guard: (s) => s.y === 1,
      footprint: () => reads('x'),
      run: () => ({}),
    };
    expect(audited(guarded)).toMatch(/^footprint-read: .* step 'await y == 1' read 'y'/);
  });

  test('a field read under a location that holds an object', () => {
    const inst = program({
      name: 'pte',
      init: { pte: [{ kind: 'none' }], tlb: { stale: false } },
      threads: [
        thread('reader', {}, [
          {
            label: 'access',
            footprint: () => reads('tlb'),
            run: (s: { pte: { kind: string }[]; tlb: { stale: boolean } }) =>
              s.tlb.stale || s.pte[0].kind === 'present' ? { goto: 'exit' } : {},
          },
        ]),
        thread('fault', {}, [
          {
            label: 'set_pte',
            footprint: () => writes('pte[0]'),
            run: (s: { pte: { kind: string }[] }) => ({ s: { ...s, pte: [{ kind: 'present' }] } }),
          },
        ]),
      ],
    });
    const r = searchNaive(new System(inst, undefined, { auditReads: true }), { stopAtFirst: false });
    expect(r.kind === 'error' ? r.message : r.kind).toBe(
      "model 'pte' thread 'reader' step 'access' read 'pte[0]', which its footprint does not declare (writes: none; reads: tlb)",
    );
  });
});
