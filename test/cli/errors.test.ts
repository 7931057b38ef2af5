/**
 * How a command's failure becomes its one line on stderr and its exit code (src/cli/errors.ts):
 * a usage or model error exits 2; memory running out before the bound was seen is incomplete
 * (exit 3), as issue 11 §3 asks, not an "internal error".
 */
import { describe, expect, test } from '@jest/globals';
import { ModelError } from '../../src/core/errors.js';
import { failure, UsageError } from '../../src/cli/errors.js';

describe('failure', () => {
  test('a model error: its message on one line, exit 2', () => {
    expect(failure(new ModelError("model 'm' has no variant 'x'\n(known: a)", 'unknown-variant'))).toEqual({
      text: "model 'm' has no variant 'x' (known: a)",
      line: "mmcheck: error: model 'm' has no variant 'x' (known: a)\n",
      code: 2,
    });
    expect(failure(new UsageError('--width must be an integer ≥ 40 (got 3)')).code).toBe(2);
  });

  test('anything else is an internal error, exit 2', () => {
    expect(failure(new TypeError('x is not a function'))).toEqual({
      text: 'internal error: x is not a function',
      line: 'mmcheck: error: internal error: x is not a function\n',
      code: 2,
    });
  });

  test('an allocation that failed (a table outgrowing ulimit -v) is incomplete: exit 3, not an internal error', () => {
    // A search returns it as an internal-error result, which the command raises as a ModelError.
    const fromSearch = new ModelError('internal error: Array buffer allocation failed', 'internal');
    for (const e of [fromSearch, new RangeError('Array buffer allocation failed')]) {
      const f = failure(e);
      expect(f.code).toBe(3);
      expect(f.line).toMatch(/^mmcheck: error: INCOMPLETE: memory ran out \(Array buffer allocation failed\)/);
      expect(f.line).toMatch(/--max-memory\n$/);
      expect(f.line.split('\n')).toHaveLength(2);
    }
  });
});
