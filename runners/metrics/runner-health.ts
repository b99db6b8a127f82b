import type { Redis } from 'ioredis';
import { LIVE_INTERVALS } from '../../queue/heartbeat/runner-heartbeat.js';
import type { HeartbeatWriter } from './heartbeat-writer.js';

/** One dependency of a runner's `/health`; same shape as the api's checks. */
export interface RunnerHealthCheck {
  service: string;
  run(signal: AbortSignal): Promise<{ ok: boolean; [detail: string]: unknown }>;
}

export interface RunnerHealthReport {
  ok: boolean;
  checks: Array<{ service: string; ok: boolean; [detail: string]: unknown }>;
}

/** Rejects when the signal aborts, even if `promise` never settles (ioredis offline queue). */
function bounded<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('timed out'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Runs the checks concurrently, each bounded by `timeoutMs`, and reuses an answer for
 * `cacheMs` so probes stay cheap. Upstream's shape: `{ok, checks: [{service, ok}]}`.
 */
export function createRunnerHealth(
  checks: readonly RunnerHealthCheck[],
  opts: { cacheMs?: number; timeoutMs?: number; now?: () => number } = {},
): () => Promise<RunnerHealthReport> {
  const now = opts.now ?? Date.now;
  let cached: { at: number; report: Promise<RunnerHealthReport> } | undefined;
  const runAll = async (): Promise<RunnerHealthReport> => {
    const results = await Promise.all(
      checks.map(async (c) => {
        const signal = AbortSignal.timeout(opts.timeoutMs ?? 3000);
        try {
          return { service: c.service, ...(await bounded(c.run(signal), signal)) };
        } catch (err) {
          return { service: c.service, ok: false, error: (err as Error).message };
        }
      }),
    );
    return { ok: results.every((r) => r.ok), checks: results };
  };
  return () => {
    const t = now();
    if (cached && t - cached.at < (opts.cacheMs ?? 2000)) return cached.report;
    cached = { at: t, report: runAll() };
    return cached.report;
  };
}

/** `"Redis"`: PING answers PONG. */
export function redisPingCheck(redis: Redis): RunnerHealthCheck {
  return { service: 'Redis', run: async () => ({ ok: (await redis.ping()) === 'PONG' }) };
}

/** `"Heartbeat"`: this runner's last heartbeat reached Redis within 3 intervals. */
export function heartbeatCheck(
  writer: Pick<HeartbeatWriter, 'lastSuccess'>,
  intervalSeconds: number,
  now: () => number = Date.now,
): RunnerHealthCheck {
  return {
    service: 'Heartbeat',
    async run() {
      const last = writer.lastSuccess();
      const limitMs = LIVE_INTERVALS * Math.max(1, intervalSeconds) * 1000;
      if (last === undefined) return { ok: false, last_beat_seconds_ago: null };
      const age = now() - last;
      return { ok: age < limitMs, last_beat_seconds_ago: Math.round(age / 100) / 10 };
    },
  };
}
