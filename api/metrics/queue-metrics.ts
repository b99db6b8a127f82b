import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  isLive,
  parseHeartbeats,
  type RunnerBeat,
} from '../../queue/heartbeat/runner-heartbeat.js';
import { FORGET_AFTER_SECONDS, isForgotten } from '../../queue/heartbeat/forget-silent-runners.js';
import type { Logger } from '../../queue/index.js';
import { within } from '../health/within.js';
import {
  readQueueSnapshot,
  type PriorityClass,
  type QueueSnapshot,
  type SnapshotSource,
} from './queue-snapshot.js';

export interface QueueMetricsOptions {
  /** The api's registry (`ApiMetrics.registry`). */
  registry: Registry;
  /** The build queue. */
  buildQueue: SnapshotSource;
  /** Command connection, for the runners hash. */
  redis: Redis;
  /** `keyNames(prefix).runners()`. */
  runnersKey: string;
  /** `Runner.heartbeat_interval`. */
  heartbeatIntervalSeconds: number;
  /** `Runner.forget_after`: runners silent longer are left out. */
  forgetAfterSeconds?: number;
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
  classes: PriorityClass[];
  live: (b: RunnerBeat) => boolean;
}

/** One Redis reading per scrape (reused for a second), undefined when it failed. */
function queueReader(opts: QueueMetricsOptions, onError: () => void) {
  const now = opts.now ?? Date.now;
  const classes: PriorityClass[] = [
    { name: 'interactive', priority: opts.priorities.interactive },
    { name: 'prebuild', priority: opts.priorities.prebuild },
  ];
  let pending: { at: number; reading: Promise<Reading | undefined> } | undefined;
  const readNow = async (at: number): Promise<Reading | undefined> => {
    try {
      const [queue, hash] = await within(
        Promise.all([
          readQueueSnapshot(opts.buildQueue, classes, at),
          opts.redis.hgetall(opts.runnersKey),
        ]),
        READ_TIMEOUT_MS,
        'build queue',
      );
      const live = (b: RunnerBeat) => isLive(b, at, opts.heartbeatIntervalSeconds);
      const runners = parseHeartbeats(hash).filter(
        (b) => !isForgotten(b, at, opts.forgetAfterSeconds ?? FORGET_AFTER_SECONDS),
      );
      return { queue, runners, at, classes, live };
    } catch (err) {
      onError();
      opts.log.warn({ err: (err as Error).message }, 'queue metrics not read');
      return undefined;
    }
  };
  return (): Promise<Reading | undefined> => {
    const at = now();
    if (!pending || at - pending.at >= 1000) pending = { at, reading: readNow(at) };
    return pending.reading;
  };
}

type Fill = (set: (labels: Record<string, string>, value: number) => void, r: Reading) => void;

/** name, help, labels, and how to fill the series from a reading. */
const SERIES: Array<[string, string, string[], Fill]> = [
  [
    'binderhub_ts_queue_jobs',
    'Build jobs by state',
    ['state'],
    (set, r) => {
      for (const [state, n] of Object.entries(r.queue.counts)) set({ state }, n);
    },
  ],
  [
    'binderhub_ts_queue_waiting_jobs',
    'Builds waiting to start, by priority class',
    ['class', 'priority'],
    (set, r) => {
      for (const c of r.classes) {
        const n = r.queue.waitingByClass[c.name];
        if (n !== undefined) set({ class: c.name, priority: String(c.priority) }, n);
      }
    },
  ],
  [
    'binderhub_ts_queue_oldest_waiting_seconds',
    'Seconds the oldest waiting build of each priority class has waited (0: none waiting)',
    ['class'],
    (set, r) => {
      for (const c of r.classes) set({ class: c.name }, r.queue.oldestWaitByClass[c.name] ?? 0);
    },
  ],
  [
    'binderhub_ts_runners',
    'Runners by heartbeat state (live: a heartbeat within 3 intervals)',
    ['state'],
    (set, r) => {
      const live = r.runners.filter(r.live).length;
      set({ state: 'live' }, live);
      set({ state: 'stale' }, r.runners.length - live);
    },
  ],
  [
    'binderhub_ts_runner_heartbeat_age_seconds',
    'Seconds since each known runner last sent a heartbeat',
    ['runner'],
    (set, r) => {
      for (const b of r.runners) set({ runner: b.runner }, Math.max(0, (r.at - b.at) / 1000));
    },
  ],
  [
    'binderhub_ts_runner_active_builds',
    'Builds each live runner reported running in its last heartbeat',
    ['runner'],
    (set, r) => {
      for (const b of r.runners.filter(r.live)) set({ runner: b.runner }, b.active);
    },
  ],
];

/**
 * What upstream lacks, computed when Prometheus scrapes: queue depth by state and by
 * priority class, the oldest waiting build, and runner heartbeats. One Redis reading
 * serves all series of a scrape; a failed reading exports nothing (no stale values)
 * and counts in `binderhub_ts_queue_metrics_errors_total`. (Webhook delivery counters
 * live with the webhook route.) Returns false, changing nothing, when the registry has
 * them already (one registry may back several apps in tests).
 */
export function registerQueueMetrics(opts: QueueMetricsOptions): boolean {
  if (opts.registry.getSingleMetric('binderhub_ts_queue_jobs')) return false;
  const registers = [opts.registry];
  const errors = new Counter({
    name: 'binderhub_ts_queue_metrics_errors_total',
    help: 'Scrapes for which the build queue or the runner heartbeats could not be read',
    registers,
    // Read first, so a failure of this very scrape is already counted.
    async collect() {
      await read();
    },
  });
  const read = queueReader(opts, () => errors.inc());
  for (const [name, help, labelNames, fill] of SERIES) {
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        const r = await read();
        if (r) fill((labels, value) => this.set(labels, value), r);
      },
    });
  }
  return true;
}
