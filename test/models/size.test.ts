import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Issue 13: the five kernel models, written in the model language, together at most 1,400 lines
// formatted (0.1: 2,192 unformatted, with hand-written footprints). A model grows by moving
// kernel operations into src/lang/kernel, where other models can use them, not by sprawling.
const dir = join(process.cwd(), 'models', 'kernel');

describe('kernel model files', () => {
  test('the five together are at most 1,400 lines', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    const lines = files.map((f) => readFileSync(join(dir, f), 'utf8').split('\n').length - 1);
    expect(files).toHaveLength(5);
    expect(lines.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1400);
  });
});
