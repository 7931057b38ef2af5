/** A problem with the model or the request (not a bug found in the model): CLI exit code 2. */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly code: string = 'model-error',
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0];
  return String(e).split('\n')[0];
}
