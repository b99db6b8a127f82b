import { scrubUrl, type BuildJob } from '../../queue/index.js';
import {
  buildEndEvent,
  buildStartEvent,
  type BuildOutcome,
  type EventLog,
} from '../../queue/event-log/index.js';
import type { RunnerMetrics } from './runner-metrics.js';

/** When BullMQ saw the job: added (`timestamp`) and picked by this runner (`processedOn`). */
export interface JobTiming {
  timestamp: number;
  processedOn?: number;
}

export interface BuildTracker {
  /**
   * Ends the build once (later calls are ignored); returns its duration in seconds.
   * `cancelled` (runner shutting down, job handed to another runner) is not counted as a
   * failure: it is written to the event log but not to the build metrics.
   */
  finish(outcome: BuildOutcome, message?: string): number;
}

export interface BuildObserver {
  start(job: BuildJob, timing: JobTiming): BuildTracker;
  /** Builds started and not yet finished (for the heartbeat). */
  active(): number;
}

/**
 * Everything a runner records about one build: upstream's build metrics, the queue wait,
 * and the build's start and end events in the event log.
 */
export function createBuildObserver(opts: {
  metrics: RunnerMetrics;
  eventLog: EventLog;
  runnerId: string;
  now?: () => number;
}): BuildObserver {
  const now = opts.now ?? Date.now;
  const { metrics, eventLog, runnerId } = opts;
  let active = 0;
  return {
    active: () => active,
    start(job, timing) {
      const startedAt = now();
      const pickedAt = timing.processedOn ?? startedAt;
      const queueWaitMs = Math.max(0, pickedAt - timing.timestamp);
      metrics.queueWaitSeconds.observe({ trigger: job.trigger }, queueWaitMs / 1000);
      metrics.inprogressBuilds.inc();
      active += 1;
      eventLog.emitBuild(buildStartEvent(job, { runner: runnerId, queueWaitMs }));
      let done = false;
      return {
        finish(outcome, message) {
          const durationMs = now() - startedAt;
          if (done) return durationMs / 1000;
          done = true;
          active -= 1;
          metrics.inprogressBuilds.dec();
          if (outcome !== 'cancelled') {
            const status = outcome;
            metrics.buildTime.observe({ status }, durationMs / 1000);
            metrics.buildCount.inc({
              status,
              provider: job.providerName,
              repo: scrubUrl(job.repoUrl),
            });
          }
          eventLog.emitBuild(
            buildEndEvent(job, { runner: runnerId, outcome, durationMs, message }),
          );
          return durationMs / 1000;
        },
      };
    },
  };
}
