import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  isLive,
  parseHeartbeats,
  type RunnerBeat,
} from '../../queue/heartbeat/runner-heartbeat.js';
import type { Logger } from '../../queue/index.js';
import { within } from '../health/within.js';
import { readQueueSnapshot, type PriorityClass, type QueueSnapshot } from './queue-snapshot.js';

export interface QueueMetricsOptions {
  /** The api's registry (`ApiMetrics.registry`). */
  registry: Registry;
  /** The build queue (`BuildQueue.queue`). */
  queue: Queue;
  /** Command connection, for the runners hash. */
  redis: Redis;
  /** `keyNames(prefix).runners()`. */
  runnersKey: string;
  /** `Runner.heartbeat_interval`. */
  heartbeatIntervalSeconds: number;
  /** `BuildQueue.interactive_priority` / `prebuild_priority`. */
  priorities: { interactive: number; prebuild: number };
  log: Logger;
  now?: () => number;
}

const READ_TIMEOUT_MS = 3000;

interface Reading {
  queue: QueueSnapshot;
  runners: RunnerBeat[];
  at: number;
}

/**
 * What upstream lacks, computed when Prometheus scrapes: queue depth by state and by
 * priority class, the oldest waiting build, and runner heartbeats. One Redis reading
 * serves all series of a scrape; a failed reading exports nothing (no stale values)
 * and counts in `binderhub_ts_queue_metrics_errors_total`.
 * (Webhook delivery counters live with the webhook route.)
 */
export function registerQueueMetrics(opts: QueueMetricsOptions): void {
  const now = opts.now ?? Date.now;
  const registers = [opts.registry];
  const classes: PriorityClass[] = [
    { name: 'interactive', priority: opts.priorities.interactive },
    { name: 'prebuild', priority: opts.priorities.prebuild },
  ];
  let pending: { at: number; reading: Promise<Reading | undefined> } | undefined;
  const read = (): Promise<Reading | undefined> => {
    const t = now();
    if (pending && t - pending.at < 1000) return pending.reading;
    const reading = (async () => {
      try {
        const [queue, hash] = await within(
          Promise.all([
            readQueueSnapshot(opts.queue, classes, t),
            opts.redis.hgetall(opts.runnersKey),
          ]),
          READ_TIMEOUT_MS,
          'build queue',
        );
        return { queue, runners: parseHeartbeats(hash), at: t };
      } catch (err) {
        errors.inc();
        opts.log.warn({ err: (err as Error).message }, 'queue metrics not read');
        return undefined;
      }
    })();
    pending = { at: t, reading };
    return reading;
  };

  const errors = new Counter({
    name: 'binderhub_ts_queue_metrics_errors_total',
    help: 'Scrapes for which the build queue or the runner heartbeats could not be read',
    registers,
    // Read first, so a failure of this very scrape is already counted.
    async collect() {
      await read();
    },
  });

  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    fill: (g: Gauge<L>, r: Reading) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        const r = await read();
        if (r) fill(this, r);
      },
    });

  gauge('binderhub_ts_queue_jobs', 'Build jobs by state', ['state'], (g, r) => {
    for (const [state, n] of Object.entries(r.queue.counts)) g.set({ state }, n);
  });
  gauge(
    'binderhub_ts_queue_waiting_jobs',
    'Builds waiting to start, by priority class',
    ['class', 'priority'],
    (g, r) => {
      for (const c of classes) {
        const n = r.queue.waitingByClass[c.name];
        if (n !== undefined) g.set({ class: c.name, priority: String(c.priority) }, n);
      }
    },
  );
  gauge(
    'binderhub_ts_queue_oldest_waiting_seconds',
    'Seconds the oldest waiting build of each priority class has waited (0: none waiting)',
    ['class'],
    (g, r) => {
      for (const c of classes) g.set({ class: c.name }, r.queue.oldestWaitByClass[c.name] ?? 0);
    },
  );
  const interval = opts.heartbeatIntervalSeconds;
  gauge('binderhub_ts_runners', 'Runners by heartbeat state', ['state'], (g, r) => {
    const live = r.runners.filter((b) => isLive(b, r.at, interval)).length;
    g.set({ state: 'live' }, live);
    g.set({ state: 'stale' }, r.runners.length - live);
  });
  gauge(
    'binderhub_ts_runner_heartbeat_age_seconds',
    'Seconds since each known runner last sent a heartbeat',
    ['runner'],
    (g, r) => {
      for (const b of r.runners) g.set({ runner: b.runner }, Math.max(0, (r.at - b.at) / 1000));
    },
  );
  gauge(
    'binderhub_ts_runner_active_builds',
    'Builds each live runner reported running in its last heartbeat',
    ['runner'],
    (g, r) => {
      for (const b of r.runners)
        if (isLive(b, r.at, interval)) g.set({ runner: b.runner }, b.active);
    },
  );
}
