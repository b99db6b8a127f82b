/** A dependency did not answer in time. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

/**
 * Settles like `promise`, or rejects with NoAnswerError after `ms` or when `signal`
 * aborts — whichever comes first. For clients that may queue a command forever while
 * their server is down (ioredis's offline queue).
 */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = () => reject(new NoAnswerError(`${what}: no answer within ${ms} ms`));
    const timer = setTimeout(fail, ms);
    signal?.addEventListener('abort', fail, { once: true });
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', fail);
    });
  });
}
