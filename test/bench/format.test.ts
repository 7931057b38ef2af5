/** The benchmark tables' statistics (bench/format.ts). */
import { describe, expect, it } from '@jest/globals';
import { median, middle } from '../../bench/format.js';

describe('median and middle', () => {
  it('agree on an odd count; for an even one median takes the upper value, middle the mean', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(middle([3, 1, 2])).toBe(2);
    expect(median([4.8, 4.5, 4.6, 4.8])).toBe(4.8);
    expect(middle([4.8, 4.5, 4.6, 4.8])).toBeCloseTo(4.7);
  });
});
