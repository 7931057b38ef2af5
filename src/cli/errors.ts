import { ModelError } from '../core/errors.js';

/** A bad command line: exit code 2, like a model error. */
export class UsageError extends ModelError {
  constructor(message: string) {
    super(message, 'usage');
    this.name = 'UsageError';
  }
}

/** One line, whatever the message held. */
export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
