import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../../queue/process-metrics.js';

/**
 * A runner's Prometheus metrics: on its own `/metrics`, or (`local` mode, api and runner
 * in one process) on the api's registry, so one `/metrics` serves everything. The build
 * series carry upstream's names, labels and buckets (`binderhub_build_*`), because
 * upstream observes them where the build runs; builds happen here, so they are counted here.
 */
export interface RunnerMetrics {
  registry: Registry;
  buildTime: Histogram<'status'>;
  buildCount: Counter<'status' | 'provider' | 'repo'>;
  inprogressBuilds: Gauge;
  queueWaitSeconds: Histogram<'trigger'>;
  heartbeatFailures: Counter;
}

export interface RunnerMetricsOptions {
  /** Add prom-client's `process_*`/`nodejs_*` series (not when sharing a `registry`). */
  defaultMetrics?: boolean;
  /** A registry to add the series to (the api's, in `local` mode); default: a new one. */
  registry?: Registry;
}

export function createRunnerMetrics(opts: RunnerMetricsOptions = {}): RunnerMetrics {
  const registry = opts.registry ?? new Registry();
  if (!opts.registry && opts.defaultMetrics !== false) collectProcessMetrics(registry);
  const registers = [registry];
  return {
    registry,
    buildTime: new Histogram({
      name: 'binderhub_build_time_seconds',
      help: 'Histogram of build times',
      labelNames: ['status'],
      buckets: [60, 120, 300, 600, 1800, 3600, 7200],
      registers,
    }),
    buildCount: new Counter({
      name: 'binderhub_build_count',
      help: 'Counter of builds by repo',
      labelNames: ['status', 'provider', 'repo'],
      registers,
    }),
    inprogressBuilds: new Gauge({
      name: 'binderhub_inprogress_builds',
      help: 'Builds currently in progress',
      registers,
    }),
    queueWaitSeconds: new Histogram({
      name: 'binderhub_ts_queue_wait_seconds',
      help: 'Seconds a build waited in the queue before a runner picked it up',
      labelNames: ['trigger'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    heartbeatFailures: new Counter({
      name: 'binderhub_ts_runner_heartbeat_failures_total',
      help: 'Runner heartbeats that could not be written to Redis',
      registers,
    }),
  };
}
