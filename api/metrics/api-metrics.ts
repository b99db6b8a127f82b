import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '../../queue/process-metrics.js';

/**
 * The api process's Prometheus metrics. Names, types, labels and buckets of the
 * `binderhub_*` series are upstream's, so existing Grafana dashboards keep working.
 * The build series (`binderhub_build_*`, `binderhub_inprogress_builds`) are exported by
 * the runners, where builds happen (runners/metrics/runner-metrics.ts).
 */
export interface ApiMetrics {
  registry: Registry;
  launchTime: Histogram<'status' | 'retries'>;
  launchCount: Counter<'status' | 'provider' | 'repo'>;
  inprogressLaunches: Gauge;
  githubRateLimitRemaining: Gauge;
  refResolutions: Counter<'provider' | 'outcome'>;
  openEventStreams: Gauge;
  droppedEventStreams: Counter;
  registryRequestSeconds: Histogram<'outcome'>;
  hubRequestSeconds: Histogram<'outcome'>;
  launchUserCleanups: Counter<'outcome'>;
  abandonedLaunchUsers: Gauge;
}

export function createApiMetrics(opts: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectProcessMetrics(registry);
  const registers = [registry];
  return {
    registry,
    launchTime: new Histogram({
      name: 'binderhub_launch_time_seconds',
      help: 'Histogram of launch times',
      labelNames: ['status', 'retries'],
      buckets: [2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    }),
    launchCount: new Counter({
      name: 'binderhub_launch_count',
      help: 'Counter of launches by repo',
      labelNames: ['status', 'provider', 'repo'],
      registers,
    }),
    inprogressLaunches: new Gauge({
      name: 'binderhub_inprogress_launches',
      help: 'Launches currently in progress',
      registers,
    }),
    githubRateLimitRemaining: new Gauge({
      name: 'binderhub_github_rate_limit_remaining',
      help: 'GitHub rate limit remaining',
      registers,
    }),
    refResolutions: new Counter({
      name: 'binderhub_ts_ref_resolutions_total',
      help: 'Data provider resolutions (DOI, dataset, SWHID) by outcome: resolved, cached, not_found, error',
      labelNames: ['provider', 'outcome'],
      registers,
    }),
    openEventStreams: new Gauge({
      name: 'binderhub_ts_open_event_streams',
      help: 'Open /build event streams',
      registers,
    }),
    droppedEventStreams: new Counter({
      name: 'binderhub_ts_dropped_event_streams_total',
      help: '/build event streams closed because the client stopped reading',
      registers,
    }),
    registryRequestSeconds: new Histogram({
      name: 'binderhub_ts_registry_request_seconds',
      help: 'Latency of image registry requests',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    hubRequestSeconds: new Histogram({
      name: 'binderhub_ts_hub_request_seconds',
      help: 'Latency of JupyterHub API requests',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    launchUserCleanups: new Counter({
      name: 'binderhub_ts_launch_user_cleanups_total',
      help: 'Temporary hub users of failed or abandoned launches: removed, deferred (left to the sweeper), swept',
      labelNames: ['outcome'],
      registers,
    }),
    abandonedLaunchUsers: new Gauge({
      name: 'binderhub_ts_abandoned_launch_users',
      help: 'Temporary hub users of abandoned launches not removed yet (as of the last sweep)',
      registers,
    }),
  };
}
