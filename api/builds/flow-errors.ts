import { failedEvent, type BuildEvent, type Logger } from '../../queue/index.js';
import { HttpError } from '../http/http-error.js';
import { QuotaExceededError } from '../launch/launch-quota.js';
import { LaunchError } from '../launch/launcher.js';

/**
 * A step of the launch flow that cannot go on. Steps throw it (or one of the errors
 * `failedEventFor` knows); the flow turns it into the stream's `failed` event in one place.
 */
export class FlowError extends Error {
  override readonly name: string = 'FlowError';
  constructor(
    message: string,
    /** `status_code` of the `failed` event (none for bad input, as upstream). */
    readonly status?: number,
  ) {
    super(message);
  }

  /** The `failed` event the client gets. */
  toEvent(): BuildEvent {
    return failedEvent(this.message, this.status);
  }
}

/** No provider for the prefix, a spec the provider refuses, or a banned one. */
export class SpecRefusedError extends FlowError {
  override readonly name = 'SpecRefusedError';
}

/** A logged-in user may not use the repository (403), or the site could not be asked (503). */
export class AccessRefusedError extends FlowError {
  override readonly name = 'AccessRefusedError';
}

/** The ref could not be resolved to an immutable id (404: it does not exist). */
export class RefNotResolvedError extends FlowError {
  override readonly name = 'RefNotResolvedError';
}

/** The registry did not say whether the image exists: never taken for "absent". */
export class ImageCheckError extends FlowError {
  override readonly name = 'ImageCheckError';
}

/** Redis (the queue and the event relay) failed while the build was requested or followed. */
export class BuildQueueUnavailableError extends FlowError {
  override readonly name = 'BuildQueueUnavailableError';
  constructor() {
    super(
      'The build queue is not reachable right now, so the image cannot be built. Please try again in a moment.',
      503,
    );
  }
}

/** The build ended with `failed`: that event, and where the build's whole log stays readable. */
export class BuildFailedError extends FlowError {
  override readonly name = 'BuildFailedError';
  constructor(
    readonly failed: BuildEvent,
    readonly logUrl: string,
  ) {
    super(failed.message || 'Build failed\n');
  }

  override toEvent(): BuildEvent {
    return { ...this.failed, message: this.message, log_url: this.logUrl };
  }
}

/** The client went away (its stream closed) while the flow waited. */
export class RequestCancelledError extends FlowError {
  override readonly name = 'RequestCancelledError';
  constructor() {
    super('Request cancelled');
  }
}

/**
 * The one mapping from what a step threw to the `failed` event that ends the stream.
 * Anything unexpected is logged and told as a 500 without its details.
 */
export function failedEventFor(
  err: unknown,
  context: { signal: AbortSignal; log: Logger; prefix: string; spec: string },
): BuildEvent {
  if (err instanceof FlowError) return err.toEvent();
  if (err instanceof QuotaExceededError) return failedEvent(err.message, 429);
  if (err instanceof HttpError || err instanceof LaunchError)
    return failedEvent(err.message, err.status);
  if (context.signal.aborted) return failedEvent('Request cancelled');
  const { log, prefix, spec } = context;
  log.error({ err, prefix, spec }, 'launch flow failed');
  return failedEvent('Internal Server Error', 500);
}
