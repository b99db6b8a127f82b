import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyNames } from '../../queue/index.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { requireStack } from '../helpers/stack.js';

// A runner killed 20 minutes ago leaves its heartbeat behind (nothing removes it: it is
// dead; live runners only dropped entries an hour old). Past `Runner.forget_after` (10
// minutes) the api forgets it: it is no longer counted in `/health` or `/metrics`, and
// its entry goes. A runner silent for less is still reported stale.

interface RunnersCheck {
  service: string;
  live?: number;
  stale?: number;
}

describe('heartbeats of dead runners', () => {
  let h: Harness;
  beforeAll(async () => {
    await requireStack();
    h = await startHarness({
      config: { Runner: { heartbeat_interval: 1, metrics_port: 0 } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a runner killed 20 minutes ago is forgotten; one silent for a minute is stale', async () => {
    const redis = h.api.runtime.deps.redis;
    const key = keyNames(h.config.Redis.key_prefix).runners();
    const now = Date.now();
    await redis.hset(
      key,
      'killed-20-minutes-ago',
      JSON.stringify({ at: now - 20 * 60_000, active: 1 }),
    );
    await redis.hset(key, 'silent-a-minute', JSON.stringify({ at: now - 60_000, active: 0 }));
    const res = await fetch(`${h.url}health`);
    const body = (await res.json()) as { checks: RunnersCheck[] };
    const runners = body.checks.find((c) => c.service === 'Build runners')!;
    expect(runners.live).toBe(1); // the harness's own runner
    expect(runners.stale).toBe(1);
    expect(Object.keys(await redis.hgetall(key)).sort()).not.toContain('killed-20-minutes-ago');
    const metrics = await (await fetch(`${h.url}metrics`)).text();
    expect(metrics).toMatch(/binderhub_ts_runners\{state="stale"\} 1/);
    expect(metrics).not.toMatch(/killed-20-minutes-ago/);
  });
});
