import { describe, expect, test } from '@jest/globals';
import { cut, parseExcerpt } from '../../scripts/docs-excerpt.js';

const trace = [
  'counterexample for p (3 steps, bfs):',
  ' # │ a     │ b     │ changes',
  '───┼───────┼───────┼────────',
  ' 1 │ one   │       │ x 0→1',
  '   │       │       │ y 0→1',
  ' 2 │       │ two   │',
  ' 3 │ three │       │ x 1→2',
  '',
  '✗ p (invariant) violated after step 3: x = 2',
  '  schedule: 0,1,0',
].join('\n');

describe('excerpt specs', () => {
  test('steps ranges, result, or the whole quote', () => {
    expect(parseExcerpt(undefined)).toEqual({ kind: 'all' });
    expect(parseExcerpt('result')).toEqual({ kind: 'result' });
    expect(parseExcerpt('steps 1,34-35')).toEqual({
      kind: 'steps',
      ranges: [
        [1, 1],
        [34, 35],
      ],
    });
    expect(parseExcerpt('rows 1-2')).toBeNull();
    expect(parseExcerpt('steps 1-')).toBeNull();
  });
});

describe('cutting an excerpt', () => {
  test('steps keep the header, the rows in range with their continuation lines, and the end', () => {
    expect(cut(trace, { kind: 'steps', ranges: [[1, 1]] })).toBe(
      [
        'counterexample for p (3 steps, bfs):',
        ' # │ a     │ b     │ changes',
        '───┼───────┼───────┼────────',
        ' 1 │ one   │       │ x 0→1',
        '   │       │       │ y 0→1',
        '',
        '✗ p (invariant) violated after step 3: x = 2',
        '  schedule: 0,1,0',
      ].join('\n'),
    );
    expect(cut(trace, { kind: 'steps', ranges: [[3, 9]] })?.split('\n')[3]).toBe(' 3 │ three │       │ x 1→2');
  });
  test('result keeps what follows the table', () => {
    expect(cut(trace, { kind: 'result' })).toBe('✗ p (invariant) violated after step 3: x = 2\n  schedule: 0,1,0');
  });
  test('no row in range, or no table at all: nothing to quote', () => {
    expect(cut(trace, { kind: 'steps', ranges: [[4, 5]] })).toBeNull();
    expect(cut('PASS', { kind: 'result' })).toBeNull();
    expect(cut(trace, { kind: 'all' })).toBe(trace);
  });
});
