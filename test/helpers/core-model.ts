import { defineModel } from '../../src/core/model.js';
import { thread } from '../../src/core/thread.js';
import { put } from './steps.js';

/** A model written against 0.1's step API (hand-written footprints): one thread stores x = 1. The compiled engine cannot run it. */
export const coreModel = defineModel({
  name: 'core',
  title: 'core',
  story: 'a 0.1-style model',
  params: {},
  options: {},
  variants: { v: { doc: 'v', options: {}, expect: {} } },
  build: () => ({ init: { x: 0 }, threads: [thread('T0', {}, [put('x', 1)])], properties: [] }),
});
