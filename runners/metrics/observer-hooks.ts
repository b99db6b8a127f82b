import type { BuildHooks } from '../process-build.js';
import type { BuildObserver, BuildTracker } from './build-observer.js';

/**
 * The processor's BuildHooks, fed to a BuildObserver: pass the result as `hooks` to
 * `startRunner`. The queue wait is measured from the job's `requestedAt`. A build whose
 * reason is `cancelled` ends as `cancelled` (not counted as a failure).
 */
export function observerHooks(observer: BuildObserver): Required<BuildHooks> {
  const running = new Map<string, BuildTracker>();
  return {
    onStart(job) {
      running.get(job.buildName)?.finish('cancelled', 'started again');
      running.set(job.buildName, observer.start(job, { timestamp: job.requestedAt }));
    },
    onEnd(job, outcome, _seconds, reason, message) {
      const tracker = running.get(job.buildName);
      if (!tracker) return;
      running.delete(job.buildName);
      tracker.finish(reason === 'cancelled' ? 'cancelled' : outcome, message ?? reason);
    },
  };
}
