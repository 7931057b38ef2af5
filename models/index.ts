/** The shipped models, in the order `mmcheck list` and `mmcheck verify` show them. */
import type { Model } from '../src/core/model.js';
import peterson from './classic/peterson.js';

export const models: readonly Model[] = [peterson];
