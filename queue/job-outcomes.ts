/**
 * What a build processor throws to end its job other than by returning or failing with
 * an error: `queue/build-worker.ts` turns each into what BullMQ expects.
 */

/** Fails the job for good (never retried), with `message` as its failed reason. */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
}

/** Puts the job back in the queue, delayed until `untilMs` (ms epoch), instead of running it. */
export class JobDelayedError extends Error {
  override readonly name = 'JobDelayedError';
  constructor(readonly untilMs: number) {
    super(`job delayed until ${new Date(untilMs).toISOString()}`);
  }
}
