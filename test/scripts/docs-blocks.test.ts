import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DocsError, ROOT, docFiles, expectedBody, parseBlocks, quote, words } from '../../scripts/docs-blocks.js';

describe('markers', () => {
  const doc = [
    'intro',
    '<!-- mmcheck: check peterson --variant no-turn -->',
    '```',
    'old',
    '```',
    '<!-- /mmcheck -->',
    'outro',
  ].join('\n');
  test('a block spans the lines between its markers', () => {
    expect(parseBlocks('/x/a.md', doc)).toEqual([
      { file: '/x/a.md', line: 2, command: 'check peterson --variant no-turn', from: 2, to: 5, body: '```\nold\n```' },
    ]);
  });
  test('an unclosed, a nested or a stray marker is an error naming the line', () => {
    expect(() => parseBlocks(path.join(ROOT, 'a.md'), '<!-- mmcheck: check x -->\n')).toThrow(
      new DocsError('a.md:1: mmcheck block never closed'),
    );
    expect(() => parseBlocks(path.join(ROOT, 'a.md'), '<!-- mmcheck: a -->\n<!-- mmcheck: b -->')).toThrow(
      new DocsError('a.md:2: mmcheck block opened inside the block of line 1'),
    );
    expect(() => parseBlocks(path.join(ROOT, 'a.md'), 'x\n<!-- /mmcheck -->')).toThrow(
      new DocsError('a.md:2: <!-- /mmcheck --> without an opening marker'),
    );
  });
  test('commands split like a shell: quotes group words', () => {
    expect(words(`replay m --schedule '0*4, 1*6' --x "a b"`)).toEqual([
      'replay',
      'm',
      '--schedule',
      '0*4, 1*6',
      '--x',
      'a b',
    ]);
  });
});

describe('quoting', () => {
  test('from the first counterexample line on, without colour or trailing blanks', () => {
    const out = 'VIOLATED x\n  time 12 ms\n\n\x1b[1mcounterexample for p\x1b[22m  \n1 │ a \n\n';
    expect(quote(out)).toBe('counterexample for p\n1 │ a');
  });
  test('output without a counterexample cannot be quoted, unless it is a replay (all of it)', () => {
    expect(quote('PASS x\n')).toBeNull();
    expect(quote('\n 1 │ a\nended: terminal\n\n', true)).toBe(' 1 │ a\nended: terminal');
  });
  test('an unknown excerpt is an error naming the marker', async () => {
    const b = {
      file: path.join(ROOT, 'd.md'),
      line: 4,
      command: 'check peterson ; rows 1-2',
      from: 4,
      to: 4,
      body: '',
    };
    await expect(expectedBody(b)).rejects.toThrow(
      new DocsError("d.md:4: unknown excerpt 'rows 1-2' (steps A-B[,C-D] or result)"),
    );
  });
  test('a command that fails is an error naming the marker', async () => {
    const b = { file: path.join(ROOT, 'd.md'), line: 3, command: 'check no-such-model', from: 3, to: 3, body: '' };
    await expect(expectedBody(b)).rejects.toThrow(/^d\.md:3: `mmcheck check no-such-model` failed: mmcheck: error: /);
  });
});

// Every checked block in README.md and docs/ holds what mmcheck prints now.
const blocks = docFiles().flatMap((f) => parseBlocks(f, readFileSync(f, 'utf8')));

describe('checked blocks in the docs (stale? run `npm run docs:update`)', () => {
  test('the docs hold checked blocks', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });
  test.each(blocks.map((b) => [`${path.relative(ROOT, b.file)}:${b.line} ${b.command}`, b] as const))(
    '%s',
    async (_name, b) => {
      expect(b.body).toBe(await expectedBody(b));
    },
  );
});
