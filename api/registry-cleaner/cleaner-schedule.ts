import type { Logger } from '../../queue/index.js';
import { CleanerBusyError, type RegistryCleaner } from './registry-cleaner.js';

export interface CleanerSchedule {
  close(): void;
}

/**
 * Runs the cleaner every `intervalSeconds`, counted from the last run of any replica (the
 * report in Redis), so restarts neither skip nor repeat runs; checked every
 * `min(interval, 10 min)`. Replicas that look at once take turns on the cleaner's lock.
 */
export function scheduleCleaner(
  cleaner: RegistryCleaner,
  o: { intervalSeconds: number; dryRun: boolean; log: Logger; now?: () => number },
): CleanerSchedule {
  const now = o.now ?? Date.now;
  const periodMs = o.intervalSeconds * 1000;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const last = await cleaner.lastReport();
      const lastMs = last ? Date.parse(last.finishedAt) : 0;
      if (now() - lastMs >= periodMs) await cleaner.run('schedule', o.dryRun);
    } catch (err) {
      if (!(err instanceof CleanerBusyError)) {
        o.log.warn({ err: (err as Error).message }, 'registry cleaner: scheduled run failed');
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.min(periodMs, 600_000));
  timer.unref();
  return { close: () => clearInterval(timer) };
}
