import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { ModelError } from '../../../src/core/errors.js';
import { formatSchedule, parseSchedule } from '../../../src/explore/results/schedule.js';

describe('schedule strings', () => {
  test('format examples', () => {
    expect(formatSchedule([])).toBe('');
    expect(formatSchedule([0, 0, 0, 1, 0, 0])).toBe('0*3,1,0*2');
    expect(formatSchedule([2])).toBe('2');
  });

  test('parse examples, whitespace tolerated', () => {
    expect(parseSchedule('', 2)).toEqual([]);
    expect(parseSchedule(' 0*3, 1 ,0*2 ', 2)).toEqual([0, 0, 0, 1, 0, 0]);
  });

  test('round trip', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 30 }), { maxLength: 60 }), (tids) => {
        expect(parseSchedule(formatSchedule(tids), 31)).toEqual(tids);
      }),
    );
  });

  test('malformed strings are ModelErrors with code bad-schedule', () => {
    for (const bad of ['x', '0,,1', '0*0', '3', '0*', '-1', '1;0', '0*2000000']) {
      expect(() => parseSchedule(bad, 3)).toThrow(ModelError);
      try {
        parseSchedule(bad, 3);
      } catch (e) {
        expect((e as ModelError).code).toBe('bad-schedule');
      }
    }
  });
});
