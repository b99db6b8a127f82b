import type { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from '../../queue/config/index.js';
import { createEventLog, type EventLog } from '../../queue/event-log/index.js';
import type { KeyNames, Logger } from '../../queue/index.js';
import { createBuildObserver, type BuildObserver } from './build-observer.js';
import { defaultRunnerId, startHeartbeat, type HeartbeatWriter } from './heartbeat-writer.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import {
  createRunnerHealth,
  heartbeatCheck,
  redisPingCheck,
  type RunnerHealthCheck,
} from './runner-health.js';
import { createRunnerMetrics, type RunnerMetrics } from './runner-metrics.js';

export interface RunnerObservabilityOptions {
  config: Pick<Config, 'Runner' | 'EventLog' | 'BinderHub'>;
  /** A command connection (finite retries), not the worker's blocking one. */
  redis: Redis;
  keys: KeyNames;
  log: Logger;
  /** Defaults to `<hostname>-<pid>`. */
  runnerId?: string;
  /** Listen address of `/metrics` + `/health`; defaults to `BinderHub.bind_host`. */
  host?: string;
  /** Overrides `Runner.metrics_port` (tests pass 0 for a free port). */
  port?: number;
  /** More `/health` checks (e.g. the build backend's engine). */
  extraChecks?: RunnerHealthCheck[];
  defaultMetrics?: boolean;
  /**
   * The api's registry, in `local` mode: the build series go on it, so the api's one
   * `/metrics` serves them, and the runner starts no server of its own.
   */
  registry?: Registry;
  /** Where `EventLog.sink: stdout` writes (tests). */
  stdout?: Writable;
}

export interface RunnerObservability {
  runnerId: string;
  metrics: RunnerMetrics;
  eventLog: EventLog;
  /** Call `observer.start(job.data, job)` when a build starts; `finish(outcome)` when it ends. */
  observer: BuildObserver;
  heartbeat: HeartbeatWriter;
  /** Absent when `Runner.metrics_port` is 0, or when sharing the api's `registry`. */
  server?: MetricsServer;
  /** Stops the heartbeat (removing this runner's entry), the server and the event log. */
  close(): Promise<void>;
}

/**
 * Everything a runner process exposes to operators, started in one call: its metrics
 * registry, the build observer (metrics + build events), the heartbeat, and the
 * `/metrics` + `/health` server on `Runner.metrics_port` (none when `registry` is shared).
 */
export async function startRunnerObservability(
  opts: RunnerObservabilityOptions,
): Promise<RunnerObservability> {
  const runnerId = opts.runnerId ?? defaultRunnerId();
  const log = opts.log.child({ runner: runnerId });
  const metrics = createRunnerMetrics({
    defaultMetrics: opts.defaultMetrics,
    registry: opts.registry,
  });
  const eventLog = createEventLog({ config: opts.config.EventLog, log, stdout: opts.stdout });
  const observer = createBuildObserver({ metrics, eventLog, runnerId });
  const interval = opts.config.Runner.heartbeat_interval;
  const heartbeat = startHeartbeat({
    redis: opts.redis,
    key: opts.keys.runners(),
    runnerId,
    intervalSeconds: interval,
    forgetAfterSeconds: opts.config.Runner.forget_after,
    active: () => observer.active(),
    log,
    onFailure: () => metrics.heartbeatFailures.inc(),
  });
  const port = opts.port ?? opts.config.Runner.metrics_port;
  let server: MetricsServer | undefined;
  if (!opts.registry && (port !== 0 || opts.port === 0)) {
    const health = createRunnerHealth([
      redisPingCheck(opts.redis),
      heartbeatCheck(heartbeat, interval),
      ...(opts.extraChecks ?? []),
    ]);
    const host = opts.host ?? opts.config.BinderHub.bind_host;
    server = await startMetricsServer({ host, port, registry: metrics.registry, health, log });
  }
  return {
    runnerId,
    metrics,
    eventLog,
    observer,
    heartbeat,
    server,
    async close() {
      await heartbeat.stop();
      await server?.close();
      await eventLog.close();
    },
  };
}
