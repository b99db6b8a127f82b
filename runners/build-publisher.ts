import type { BuildEvent, BuildJob, EventBus, EventPosition, Logger } from '../queue/index.js';
import type { EmitEvent } from './build-backend.js';
import { isFailureLine } from './log-line.js';
import { retryRedis } from './retry-redis.js';

/**
 * The position of a build's terminal event (`built`/`failed`): after every log line of
 * its run, and the same for every runner that finishes the run, so a second runner
 * finishing it (a job taken again after its lock was lost) publishes nothing new.
 */
export const TERMINAL_SEQ = Number.MAX_SAFE_INTEGER;

/**
 * Publishes one build's events, riding out Redis outages: every write is retried until
 * Redis takes it (see retryRedis) — a running build is never given up because Redis
 * restarted. Positions make the retries idempotent.
 */
export class BuildPublisher {
  /** Epoch of the last positioned event (the run being followed). */
  private epochMs: number | undefined;
  /** An event went out without a position: a terminal position could sort before it. */
  private unpositioned = false;

  constructor(
    private readonly bus: EventBus,
    private readonly job: BuildJob,
    private readonly log: Logger,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * A log event. repo2docker's own `failed` line is published as a log line (phase
   * `building`): only the final event, with its plain message, ends the stream.
   */
  readonly emit: EmitEvent = async (event, position, epochMs) => {
    if (isFailureLine(event)) event = { ...event, phase: 'building' };
    if (position === undefined) this.unpositioned = true;
    else this.epochMs = epochMs ?? this.job.requestedAt;
    const at = position === undefined ? undefined : { epochMs: this.epochMs ?? 0, seq: position };
    await this.publish(event, at, 'build event');
  };

  /** The `built` or `failed` event that ends the build (a repeat of it is a no-op). */
  async finish(event: BuildEvent): Promise<void> {
    const at =
      this.epochMs !== undefined && !this.unpositioned
        ? { epochMs: this.epochMs, seq: TERMINAL_SEQ }
        : undefined;
    await this.publish(event, at, 'final event');
  }

  /** Keeps the finished build's history `seconds` longer (so no key outlives it). */
  async expire(seconds: number): Promise<void> {
    await retryRedis(() => this.bus.expire(this.job.buildName, seconds), {
      log: this.log,
      what: 'history expiry',
      giveUpAfterMs: 600_000,
    });
  }

  private async publish(event: BuildEvent, at: EventPosition | undefined, what: string) {
    await retryRedis(() => this.bus.publish(this.job.buildName, event, at), {
      log: this.log,
      what,
      signal: this.signal,
    });
  }
}
