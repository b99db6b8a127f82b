/** A build that ended without an image; `message` is shown to the people waiting. */
export class BuildFailedError extends Error {
  override readonly name = 'BuildFailedError';
  constructor(
    message: string,
    /** `idle` / `max_age` for timeouts, `error` otherwise. */
    readonly reason: 'error' | 'idle' | 'max_age' | 'cancelled' = 'error',
  ) {
    super(message);
  }
}
