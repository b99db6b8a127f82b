import type { Redis } from 'ioredis';
import type { HealthCheck } from './health-checker.js';

/** `"JupyterHub API"`: the hub answers its REST API with our token. */
export function hubCheck(
  hubApiUrl: string,
  token: string,
  fetchImpl: typeof fetch = fetch,
): HealthCheck {
  return {
    service: 'JupyterHub API',
    async run(signal) {
      const res = await fetchImpl(hubApiUrl, {
        headers: token ? { authorization: `token ${token}` } : {},
        signal,
      });
      await res.body?.cancel();
      return { ok: res.ok };
    },
  };
}

/** `"Docker registry"`: a manifest lookup answers (found or absent both mean reachable). */
export function registryCheck(lookup: (signal: AbortSignal) => Promise<unknown>): HealthCheck {
  return {
    service: 'Docker registry',
    async run(signal) {
      await lookup(signal);
      return { ok: true };
    },
  };
}

/** `"Redis"`: PING answers PONG. */
export function redisCheck(redis: Redis): HealthCheck {
  return {
    service: 'Redis',
    async run() {
      return { ok: (await redis.ping()) === 'PONG' };
    },
  };
}
