import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../../../api/app-deps.js';
import { BuildTokens, buildTokenAudience } from '../../../../api/build-token/build-tokens.js';
import { buildTokenKey } from '../../../../api/build-token/build-token-secret.js';
import { createApiMetrics } from '../../../../api/metrics/api-metrics.js';
import { createClientLimits } from '../../../../api/rate-limit/client-limits.js';
import { buildRouter } from '../../../../api/routes/build.js';
import { parseConfig } from '../../../../queue/config/index.js';
import { createLogger } from '../../../../queue/index.js';
import { stackInfo } from '../../../helpers/stack.js';

const prefix = `test-${randomUUID()}`;
let redis: Redis;
let server: Server;
let base: string;
let clock = Math.floor(Date.now() / 1000);
const tokens = new BuildTokens({
  key: buildTokenKey('ab'.repeat(32)).key,
  expiresSeconds: 300,
  checkOrigin: true,
  now: () => clock,
});

beforeAll(async () => {
  redis = new Redis(stackInfo().redisUrl);
  const config = parseConfig({
    Redis: { url: stackInfo().redisUrl, key_prefix: prefix },
    RateLimiter: { limit: 2, period_seconds: 60 },
  });
  // Only what the route uses before the flow; with no providers the flow ends at once.
  const deps = {
    config,
    log: createLogger({ level: 'silent' }),
    metrics: createApiMetrics({ defaultMetrics: false }),
    redis,
    providers: new Map(),
    buildTokens: tokens,
    limits: createClientLimits(redis, config),
  } as unknown as AppDeps;
  const app = express();
  app.use(buildRouter(deps));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const spec = 'org/repo/HEAD';

async function build(query = '', headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/build/gh/${spec}${query}`, {
    headers: { accept: 'text/event-stream', ...headers },
  });
  const text = await res.text();
  const events = text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as { phase: string; status_code?: number; message: string });
  return { res, events };
}

const host = () => new URL(base).host;

describe('/build with the build-request guard (real Redis)', () => {
  it('refuses an invalid, expired or mismatched token with one failed 403 event', async () => {
    const valid = await tokens.mint(buildTokenAudience('gh', spec), host());
    const wrongAud = await tokens.mint(buildTokenAudience('gh', 'org/other/HEAD'), host());
    const wrongOrigin = await tokens.mint(buildTokenAudience('gh', spec), 'evil.example');
    clock -= 400;
    const expired = await tokens.mint(buildTokenAudience('gh', spec), host());
    clock += 400;
    for (const token of ['garbage', wrongAud, wrongOrigin, expired, `${valid}x`]) {
      const { res, events } = await build(`?build_token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(200);
      expect(events).toEqual([
        { phase: 'failed', status_code: 403, message: 'Invalid build token\n' },
      ]);
    }
    // The same token, presented from another Origin, is refused too.
    const fromElsewhere = await build(`?build_token=${valid}`, { origin: 'https://evil.example' });
    expect(fromElsewhere.events[0]?.status_code).toBe(403);
  });

  it('rate-limits per IP without a token: headers, then 429', async () => {
    const first = await build();
    expect(first.res.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.res.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(Number(first.res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(first.events.at(-1)?.message).toBe('No provider found for prefix gh\n');
    await build();
    const third = await build();
    expect(third.events).toHaveLength(1);
    expect(third.events[0]).toMatchObject({ phase: 'failed', status_code: 429 });
    expect(third.events[0]!.message).toMatch(
      /^Rate limit of this Binder \(127\.0\.0\.1:\d+\) exceeded: at most 2 launches without a build token per 60 seconds from one address\. Try again in (59|60) seconds\.\n$/,
    );
  });

  it('lets a valid token through the exhausted limit (it counts against its own)', async () => {
    const token = await tokens.mint(buildTokenAudience('gh', spec), host());
    for (let i = 0; i < 3; i++) {
      const { res, events } = await build(`?build_token=${token}`);
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      expect(events).toEqual([{ phase: 'failed', message: 'No provider found for prefix gh\n' }]);
    }
  });

  it('does not count requests without Accept: text/event-stream', async () => {
    const res = await fetch(`${base}/build/gh/${spec}`);
    const text = await res.text();
    expect(text).toContain('Missing Accept header');
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
  });
});
