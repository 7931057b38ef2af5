import { describe, expect, test } from '@jest/globals';
import { ModelError } from '../../src/core/errors.js';
import { invariant, verdictOf, type PropertyResult } from '../../src/core/property.js';

const view = { s: { x: 1 }, threads: [] };
const prop = (check: () => unknown) => invariant('p', 'doc', undefined, check as () => PropertyResult);
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
};

describe('verdictOf', () => {
  test('a message is violated; null and undefined hold', () => {
    expect(
      verdictOf(
        'm',
        prop(() => 'x is 1'),
        view,
      ),
    ).toBe('x is 1');
    expect(
      verdictOf(
        'm',
        prop(() => null),
        view,
      ),
    ).toBeNull();
    expect(
      verdictOf(
        'm',
        prop(() => undefined),
        view,
      ),
    ).toBeNull();
  });

  test('anything else is a property-result error; a throw is property-threw', () => {
    expect(
      codeOf(() =>
        verdictOf(
          'm',
          prop(() => false),
          view,
        ),
      ),
    ).toBe(
      "property-result: model 'm' property 'p' returned boolean false; a property returns a message string when violated, null or undefined when it holds",
    );
    expect(
      codeOf(() =>
        verdictOf(
          'm',
          prop(() => [1]),
          view,
        ),
      ),
    ).toMatch(/^property-result: .* returned an array;/);
    expect(
      codeOf(() =>
        verdictOf(
          'm',
          prop(() => 3),
          view,
        ),
      ),
    ).toMatch(/^property-result: .* returned number 3;/);
    expect(
      codeOf(() =>
        verdictOf(
          'm',
          prop(() => {
            throw new RangeError('bad\nsecond line');
          }),
          view,
        ),
      ),
    ).toBe("property-threw: model 'm' property 'p' threw: bad");
  });
});
