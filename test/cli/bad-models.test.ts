/**
 * Issue 13, bad input: a model the compiler cannot accept is refused before the search with one
 * line naming the model, variant, thread and step, exit 2 (src/lang/prepass.ts, src/lang/flatten.ts).
 * One small model file per kind under test/fixtures/bad-models/. "Before the search": the line
 * names the variant, which only `instantiate` (building the instance, before any strategy runs)
 * adds — an error the search finds names model, thread and step only (the last test) — and
 * nothing else is printed: no verdict, no state count.
 */
import { describe, expect, test } from '@jest/globals';
import { run, type Ran } from './spawn.js';

const fixture = (name: string) => `test/fixtures/bad-models/${name}.ts`;

function refusedBeforeSearch(r: Ran, line: string): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err).toBe(`mmcheck: error: ${line}\n`);
}

const KINDS: readonly (readonly [string, string])[] = [
  [
    'unknown-field',
    "model 'unknown-field' variant 'v' thread 'reader' step 'read y': get undefined: not a field of the model's layout",
  ],
  [
    'out-of-domain',
    "model 'out-of-domain' variant 'v' thread 'inc' step 'x = x + 1 again': set x = 2 is outside its domain (0..1)",
  ],
  [
    'no-lock',
    "model 'no-lock' variant 'v' thread 'writer' step 'g = 0': accesses g without holding k (the layout declares it guardedBy('k'))",
  ],
  [
    'unknown-label',
    "model 'unknown-label' variant 'v' thread 'retrier' step 'x = 1': after it, goto_('retry'): no such label",
  ],
  [
    'dead-end',
    "model 'dead-end' variant 'v' thread 'spinner' step 'x = 1': after it, dead end: a loop at label 'spin' runs no step",
  ],
];

describe('a model the compiler cannot accept is refused before the search', () => {
  test.each(KINDS)('%s: check refuses it in one line, exit 2', (name, line) => {
    refusedBeforeSearch(run(['check', fixture(name)]), line);
  });

  test.each(KINDS)('%s: replay and compare refuse it the same way', (name, line) => {
    refusedBeforeSearch(run(['replay', fixture(name), '--schedule', '0']), line);
    refusedBeforeSearch(run(['compare', fixture(name)]), line);
  });

  test('the compiled engine and every strategy are refused by the same line', () => {
    const [name, line] = KINDS[2];
    for (const strategy of ['dfs', 'naive', 'odpor'])
      refusedBeforeSearch(run(['check', fixture(name), '--engine', 'compiled', '--strategy', strategy]), line);
  });

  test('an error a thread reaches only after another ran alone to its end is found before the search', () => {
    refusedBeforeSearch(
      run(['check', fixture('after-other')]),
      "model 'after-other' variant 'v' thread 'reader' step 'read g': accesses g without holding k (the layout declares it guardedBy('k')) (after 'writer' ran alone until it stopped)",
    );
  });

  test.each([
    [
      'preempted-lock',
      "model 'preempted-lock' thread 'reader' step 'read g': accesses g without holding k (the layout declares it guardedBy('k'))",
    ],
    [
      'preempted-domain',
      "model 'preempted-domain' thread 'reader' step 'x = x + 1': set x = 2 is outside its domain (0..1)",
    ],
    [
      'preempted-field',
      "model 'preempted-field' thread 'reader' step 'read y': get undefined: not a field of the model's layout",
    ],
  ])('%s: an error only a preemption reaches is found by the search, as one line naming the step', (name, line) => {
    for (const engine of ['reference', 'compiled']) {
      const r = run(['check', fixture(name), '--engine', engine]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe(`mmcheck: error: ${line}\n`);
    }
  });

  test('an error in a step that threads share names the thread that ran it (reader1, not reader0)', () => {
    // Both readers run one compiled body; the schedule runs reader1 (thread 2) into the error.
    for (const engine of ['reference', 'compiled']) {
      const r = run(['replay', fixture('shared-body'), '--schedule', '0,2,2', '--engine', engine]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        "mmcheck: error: model 'shared-body' thread 'reader1' step 'x = x + 1': set x = 2 is outside its domain (0..1)\n",
      );
    }
  });
});
