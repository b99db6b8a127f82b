/** A job the runner will not build (it does not match what the runner computes, or its URL is refused). */
export class JobRefusedError extends Error {
  override readonly name = 'JobRefusedError';
}
