/**
 * A trace prints every kernel step of a merged step (src/lang/parts.ts): the parts of a merged
 * locked section and of merged thread-local computations, each with its own changes, on a tiny
 * program whose rows are derived by hand.
 */
import { describe, expect, test } from '@jest/globals';
import { instantiate } from '../../src/core/instantiate.js';
import { VecSystem } from '../../src/engine/system.js';
import { explore } from '../../src/explore/explore.js';
import { System } from '../../src/explore/system/system.js';
import type { Trace } from '../../src/explore/results/result.js';
import {
  ALL_REDUCTIONS,
  guardedBy,
  int,
  layout,
  local,
  NO_REDUCTIONS,
  spinlock,
  spinLock,
  spinUnlock,
  step,
  thread,
  type Reductions,
} from '../../src/lang/index.js';
import { swimlanesHtml } from '../../src/report/html.js';
import { traceToJson } from '../../src/report/json.js';
import { renderSwimlanes } from '../../src/report/swimlanes.js';
import { models } from '../../models/index.js';
import { langProgram } from './helpers.js';

const shared = layout({ x: int(0, 3), k: spinlock(), g: guardedBy('k', int(0, 3)) });
const { x, k, g } = shared.refs;
interface L {
  readonly a: number;
  readonly b: number;
}

/**
 * The writer starts with a local computation, then a section under k with one unguarded access
 * (merged into one step), then a local computation merged into that step, then a store. The
 * reader's load is followed by a local computation merged into it.
 */
const build = (red: Reductions, observes: { readonly locals?: readonly string[] } = {}) =>
  langProgram(
    () => ({
      layout: shared,
      threads: [
        thread<L>('writer', { a: 0, b: 0 }, [
          local<L>('start: a = 1', () => ({ a: 1 })),
          step<L>('lock k', (c) => spinLock(c, k)),
          step<L>('g = a', (c) => c.set(g, c.l.a)),
          step<L>('x = 1', (c) => c.set(x, 1)),
          step<L>('unlock k', (c) => spinUnlock(c, k)),
          local<L>('b = a + 1', (l) => ({ b: l.a + 1 })),
          step<L>('x = b', (c) => c.set(x, c.l.b)),
        ]),
        thread<L>('reader', { a: 0, b: 0 }, [
          step<L>('a = x', (c) => c.let({ a: c.get(x) })),
          local<L>('b = a', (l) => ({ b: l.a })),
        ]),
      ],
      properties: [],
      observes,
    }),
    red,
  );

const rows = (t: Trace) =>
  t.steps.map((st) => ({
    label: st.label,
    parts: st.parts?.map(
      (p) => `${p.label}: ${p.changes.map((c) => `${c.path} ${String(c.before)}→${String(c.after)}`).join(', ')}`,
    ),
  }));

describe('the parts of merged steps', () => {
  const merged = build(ALL_REDUCTIONS);
  const trace = new System(merged).trace([0, 1, 0]);

  test('the program merges: the writer runs in two steps, the reader in one', () => {
    expect(trace.steps.map((st) => `${st.thread}: ${st.label}`)).toEqual([
      'writer: lock k',
      'reader: a = x',
      'writer: x = b',
    ]);
    expect(trace.schedule).toBe('0,1,0');
  });

  test('each merged step lists its kernel steps, each with its own changes', () => {
    expect(rows(trace)).toEqual([
      {
        label: 'lock k',
        parts: [
          'start: a = 1: a 0→1',
          'lock k: k -1→0',
          'g = a: g 0→1',
          'x = 1: x 0→1',
          'unlock k: k 0→-1',
          'b = a + 1: b 0→2',
        ],
      },
      { label: 'a = x', parts: ['a = x: a 0→1', 'b = a: b 0→1'] },
      { label: 'x = b', parts: undefined },
    ]);
    // The merged step's own changes stay as they were: the sum of its parts'.
    expect(trace.steps[0].changes.map((c) => `${c.path}${c.local ? ' (local)' : ''}`)).toEqual(['x', 'g', 'b (local)']);
  });

  test('parts carry the unmerged steps’ chains and notes, and the JSON trace keeps them', () => {
    const json = traceToJson(trace);
    expect(json.steps.map((s) => s.parts?.length ?? 0)).toEqual([6, 2, 0]);
    expect(json.steps[1].parts![1]).toEqual({
      label: 'b = a',
      changes: [{ path: 'b', before: 0, after: 1, local: true }],
    });
  });

  test('without merges no step has parts, and the rows are the steps themselves', () => {
    const flat = new System(build(NO_REDUCTIONS)).trace([0, 0, 0, 0, 0, 0, 1, 1, 0]);
    expect(flat.steps.every((st) => st.parts === undefined)).toBe(true);
    expect(flat.steps.map((st) => st.label)).toEqual([
      'start: a = 1',
      'lock k',
      'g = a',
      'x = 1',
      'unlock k',
      'b = a + 1',
      'a = x',
      'b = a',
      'x = b',
    ]);
  });

  test('the swimlanes print one row per part, bracketed under one step number', () => {
    expect(renderSwimlanes(trace, { inst: merged, width: 60 })).toBe(
      [
        '# │ writer         │ reader   │ changes',
        '──┼────────────────┼──────────┼───────────────',
        '1 │ ┌ start: a = 1 │          │ (writer) a 0→1',
        '  │ ├ lock k       │          │ k -1→0',
        '  │ ├ g = a        │          │ g 0→1',
        '  │ ├ x = 1        │          │ x 0→1',
        '  │ ├ unlock k     │          │ k 0→-1',
        '  │ └ b = a + 1    │          │ (writer) b 0→2',
        '2 │                │ ┌ a = x  │ (reader) a 0→1',
        '  │                │ └ b = a  │ (reader) b 0→1',
        '3 │ x = b          │          │ x 1→2',
        '┌ … └ one atomic step: kernel steps the compiler merged',
      ].join('\n'),
    );
  });

  test('with local steps kept (a property reads a local), only the locked section has parts', () => {
    // `b` observed: local computations are steps; the section under k still merges.
    const inst = build(ALL_REDUCTIONS, { locals: ['b'] });
    const t = new System(inst).trace([0, 0, 1, 1, 0, 0]);
    expect(rows(t)).toEqual([
      { label: 'start: a = 1', parts: undefined },
      { label: 'lock k', parts: ['lock k: k -1→0', 'g = a: g 0→1', 'x = 1: x 0→1', 'unlock k: k 0→-1'] },
      { label: 'a = x', parts: undefined },
      { label: 'b = a', parts: undefined },
      { label: 'b = a + 1', parts: undefined },
      { label: 'x = b', parts: undefined },
    ]);
  });

  test('the HTML swimlanes give each part a row, the first numbered, the bracket closed on the last', () => {
    const html = swimlanesHtml({
      violation: { property: 'p', kind: 'invariant', message: 'm', trace },
      ctx: { model: 'test', variant: 'default', params: {} },
      inst: merged,
    });
    const rows = [...html.matchAll(/<tr class="step([^"]*)"><td class="n">(\d*)<\/td>/g)].map((m) => `${m[2]}${m[1]}`);
    expect(rows).toEqual([
      '1 part first',
      ' part',
      ' part',
      ' part',
      ' part',
      ' part end',
      '2 part first',
      ' part end',
      '3 last',
    ]);
    expect(html).toContain('the kernel steps of one atomic step');
  });
});

/**
 * A system compiles the programs its traces replay once (src/lang/model.ts `recompiled`), from
 * the language program its instance was compiled from, and its traces replay the program once:
 * every trace must be the one a fresh system prints, and the one printed from a copy of the
 * program (not the compiled object: its traces build the model again, as before the cache).
 */
describe('the programs a trace replays are built once per instance', () => {
  const model = models.find((m) => m.name === 'rmap-vs-vma-adjust')!;
  const build = () => instantiate(model, 'vma-seqcount', { exec: 0 });
  const inst = build();
  const found = explore(inst, { strategy: 'naive', stopAtFirst: false });
  const violations = found.kind === 'violation' ? found.violations : [];
  const schedules = violations.map((v) => v.trace.steps.map((st) => st.tid));
  const fresh = schedules.map((s) => new System(build()).trace(s));

  test('the search finds counterexamples with merged steps', () => {
    expect(schedules.map((s) => s.length)).toEqual([57, 59, 60, 62]);
    expect(fresh.map((t) => t.steps.filter((st) => st.parts).length)).toEqual([1, 1, 2, 2]);
  });

  test('every trace of one system is the trace of a fresh system, on either engine', () => {
    const sys = new System(inst);
    const vec = new VecSystem(inst);
    const again = [...schedules, ...schedules].map((s) => sys.trace(s));
    expect(JSON.stringify(again)).toBe(JSON.stringify([...fresh, ...fresh]));
    expect(again).toStrictEqual([...fresh, ...fresh]);
    expect(schedules.map((s) => vec.trace(s))).toStrictEqual(fresh);
    expect(violations.map((v) => v.trace)).toStrictEqual(fresh);
  });

  test('a copy of the program prints the same traces, built from the model', () => {
    const copy = new System({ ...inst, program: { ...inst.program } });
    const traces = schedules.map((s) => copy.trace(s));
    expect(JSON.stringify(traces)).toBe(JSON.stringify(fresh));
  });
});
