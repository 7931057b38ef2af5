/** The benchmarks' shared flag parsing (bench/args.ts): a bad command line is a one-line UsageError. */
import { describe, expect, it, jest } from '@jest/globals';
import { BenchArgs, benchMain, UsageError } from '../../bench/args.js';
import { ModelError } from '../../src/core/errors.js';

const SPEC = { timeout: 'value', only: 'value', symmetry: 'flag', 'mm-opt': 'values' } as const;

const usage = (argv: string[]) => {
  try {
    new BenchArgs(SPEC, argv).number('timeout', 1);
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('BenchArgs', () => {
  it('reads flags, values, repeated values, numbers and lists', () => {
    const a = new BenchArgs(SPEC, [
      '--timeout',
      '5',
      '--symmetry',
      '--mm-opt',
      'a=1',
      '--mm-opt',
      'b=2',
      '--only',
      'x,y',
    ]);
    expect(a.number('timeout', 120)).toBe(5);
    expect(a.flag('symmetry')).toBe(true);
    expect(a.values('mm-opt')).toEqual(['a=1', 'b=2']);
    expect(a.list('only')).toEqual(['x', 'y']);
    expect(new BenchArgs(SPEC, []).number('timeout', 120)).toBe(120);
    expect(() => new BenchArgs(SPEC, ['--timeout', '2.5']).integer('timeout', 1)).toThrow(UsageError);
    expect(new BenchArgs(SPEC, ['--timeout', '3']).integer('timeout', 1)).toBe(3);
    expect(new BenchArgs(SPEC, ['--timeout', '0']).count('timeout', 3)).toBe(0);
    expect(new BenchArgs(SPEC, []).count('timeout', 3)).toBe(3);
    expect(() => new BenchArgs(SPEC, ['--timeout', '-1']).count('timeout', 3)).toThrow(UsageError);
    expect(() => new BenchArgs(SPEC, ['--timeout', '1.5']).count('timeout', 3)).toThrow(UsageError);
  });

  it.each([
    [['--timeout']],
    [['--timeout', '--symmetry']],
    [['--bogus']],
    [['--timeout', 'x']],
    [['--timeout', '0']],
    [['stray']],
    [['--timeout', '5', '--timeout', '6']],
  ])('rejects %j in one line', (argv) => {
    const e = usage(argv);
    // Why: benchMain turns a UsageError into one line and exit 2; anything else is a stack trace.
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).not.toContain('\n');
  });

  it('rejects a list item that is not a known choice', () => {
    expect(() => new BenchArgs(SPEC, ['--only', 'a,zz']).choices('only', ['a', 'b'])).toThrow(/unknown zz/);
  });

  it('prints a model error about the input as one line and exits 2; a bug keeps its stack', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      benchMain('bench/x', () => {
        throw new ModelError("parameter ptes=12 of model 'm' must be an integer in 1..8", 'bad-param');
      });
      expect(exit).toHaveBeenCalledWith(2);
      expect(err).toHaveBeenCalledWith("bench/x: parameter ptes=12 of model 'm' must be an integer in 1..8");
      // A model that fails inside the search is not bad input: it keeps its stack trace.
      expect(() =>
        benchMain('bench/x', () => {
          throw new ModelError('boom', 'model-error');
        }),
      ).toThrow('boom');
    } finally {
      exit.mockRestore();
      err.mockRestore();
    }
  });
});
