/**
 * What a ModelError is about: a closed list, documented one per line in docs/model-errors.md.
 * Request problems (the command line, the model's name, parameters, a schedule, an output file):
 *  - `usage`, `unknown-model`, `unknown-variant`, `unknown-param`, `bad-param`, `unknown-property`,
 *    `bad-schedule`, `io`;
 * model mistakes found before or while the model runs:
 *  - `bad-model` (the model's shape: threads, names, expectations, jumps, assertions),
 *  - `bad-options` (a variant's options the model refuses to combine),
 *  - `cyclic-model` (a cycle where a strategy needs finite executions: odpor),
 *  - `model-threw` (the model's build, a step's guard, footprint or run threw),
 *  - `property-threw`, `property-result` (a property's check threw, or returned neither a message
 *    nor null/undefined),
 *  - `state-mutated` (a step changed the state or locals it was given instead of returning new ones),
 *  - `footprint-write`, `footprint-read` (a step wrote, or read, a location its footprint omits),
 *  - `lock-discipline` (a step touched a field guarded by a lock it does not hold, or a declared
 *    lock other than by spin_lock/spin_unlock: src/lang/discipline.ts),
 *  - `bad-symmetry` (a symmetry declaration the reachable states contradict);
 * the checker's own trouble:
 *  - `sanity-mismatch` (`--sanity`: the naive search and the reduced one disagree),
 *  - `incomplete` (a check that must see every state was cut short), `internal` (a bug in mmcheck).
 */
export const MODEL_ERROR_CODES = [
  'usage',
  'unknown-model',
  'unknown-variant',
  'unknown-param',
  'bad-param',
  'unknown-property',
  'bad-schedule',
  'io',
  'model-error',
  'bad-model',
  'bad-options',
  'bad-engine',
  'cyclic-model',
  'model-threw',
  'property-threw',
  'property-result',
  'state-mutated',
  'footprint-write',
  'footprint-read',
  'lock-discipline',
  'bad-symmetry',
  'sanity-mismatch',
  'incomplete',
  'internal',
] as const;

export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

/** A problem with the model or the request (not a bug found in the model): CLI exit code 2. */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly code: ModelErrorCode = 'model-error',
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

/**
 * A model error at one place of one thread, found before or while the search runs: its line is
 * `model 'M' [variant 'V'] thread 'T' [step 'S']: what`. `instantiate` adds the model and variant
 * to one the model's compiler or pre-pass raises (src/lang/prepass.ts).
 */
export class StepError extends ModelError {
  constructor(
    readonly thread: string,
    readonly step: string | undefined,
    readonly what: string,
    code: ModelErrorCode = 'bad-model',
    readonly model?: string,
    readonly variant?: string,
  ) {
    super(
      `${model !== undefined ? `model '${model}' ` : ''}${variant !== undefined ? `variant '${variant}' ` : ''}` +
        `thread '${thread}'${step !== undefined ? ` step '${step}'` : ''}: ${what}`,
      code,
    );
    this.name = 'StepError';
  }

  /**
   * The same error naming the thread that ran the step: threads with one body share its compiled
   * steps, and an error raised inside one names the thread it was compiled for.
   */
  ofThread(thread: string): StepError {
    return new StepError(thread, this.step, this.what, this.code, this.model, this.variant);
  }

  /** The same error naming the model and variant. */
  located(model: string, variant: string): StepError {
    return new StepError(this.thread, this.step, this.what, this.code, model, variant);
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0];
  return String(e).split('\n')[0];
}
