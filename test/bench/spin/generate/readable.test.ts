/** What a thread may read at a control state (bench/spin/generate/readable.ts). */
import { describe, expect, it } from '@jest/globals';
import { WriteLog } from '../../../../bench/spin/generate/readable.js';

describe('WriteLog', () => {
  it("a thread reads another's writes anywhere, its own only where the write can have happened before", () => {
    // One slot, initially 0; thread 0 runs cs 0 → 1 → 2 and writes 5 on the step to cs 1.
    const log = new WriteLog([0], 2);
    expect(log.edge(0, 0, 1)).toBe(true);
    expect(log.edge(0, 1, 2)).toBe(true);
    expect(log.edge(0, 1, 2)).toBe(false);
    expect(log.write(0, 0, 5, 1)).toBe(true);
    expect(log.write(0, 0, 5, 1)).toBe(false);
    expect(log.readable(0, 0, 0)).toEqual([0]);
    expect(log.readable(0, 1, 0)).toEqual([0, 5]);
    expect(log.readable(0, 2, 0)).toEqual([0, 5]);
    // Thread 1 may read 5 in any of its control states.
    expect(log.readable(1, 0, 0)).toEqual([0, 5]);
    // A loop back to cs 0 makes the write visible there too.
    log.edge(0, 2, 0);
    expect(log.readable(0, 0, 0)).toEqual([0, 5]);
    expect(log.all(0)).toEqual([0, 5]);
  });
});
