/** A one-variant language model around a fixed program, instantiated with chosen reductions. */
import type { Instance } from '../../src/core/instantiate.js';
import type { Verdict } from '../../src/core/model.js';
import {
  ALL_REDUCTIONS,
  defineModel,
  instantiateWith,
  type LangProgram,
  type Reductions,
} from '../../src/lang/index.js';

export function langProgram(
  build: () => LangProgram,
  red: Reductions = ALL_REDUCTIONS,
  expect: Readonly<Record<string, Verdict>> = {},
): Instance {
  const model = defineModel({
    name: 'test',
    title: 'test',
    story: 'test program',
    params: {},
    options: {},
    variants: { default: { doc: 'the only variant', options: {}, expect } },
    build,
  });
  return instantiateWith(model, red);
}
