import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { testJob } from '../helpers/test-queue.js';

// The api (real Redis, no runner) against clients that lie about their address, hold
// many streams, reuse build tokens, or send pathological paths. GitHub cannot run here:
// its API is a fetch that refuses, so no test reaches the internet.
const noGitHub: typeof fetch = () =>
  Promise.reject(new Error('GitHub is not reachable from tests'));
const overrides = { providerFetch: noGitHub };

const sha = () => randomBytes(20).toString('hex');
/** A /build path that waits for its build forever (no runner): the stream stays open. */
const waitingBuild = () =>
  `build/git/${encodeURIComponent('http://127.0.0.1:9/abuse/repo.git')}/${sha()}`;

async function events(url: string, headers: Record<string, string> = {}) {
  return (await readEventStream(url, { headers, signal: AbortSignal.timeout(30_000) })).events;
}

function lastFailure(evs: ReceivedEvent[]) {
  const last = evs.at(-1);
  expect(last?.phase, JSON.stringify(evs)).toBe('failed');
  return last!.data as { status_code?: number; message: string };
}

describe('BinderHub.trust_proxy counts hops from the right', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      overrides,
      config: {
        BinderHub: { trust_proxy: true, ban_networks: { '203.0.113.0/24': 'the test net' } },
        RateLimiter: { limit: 2, period_seconds: 600 },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a spoofed X-Forwarded-For entry does not unban a banned client', async () => {
    for (const spoof of ['198.51.100.1', '10.0.0.1']) {
      const evs = await events(`${h.url}build/gh/org/repo/HEAD`, {
        'x-forwarded-for': `${spoof}, 203.0.113.7`,
      });
      expect(lastFailure(evs)).toMatchObject({
        status_code: 403,
        message: 'Requests from the test net are not allowed\n',
      });
    }
    const page = await fetch(`${h.url}api/repoproviders`, {
      headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' },
    });
    expect(page.status).toBe(403);
  });

  it('a spoofed X-Forwarded-For entry does not reset the rate limit', async () => {
    const statuses: Array<number | undefined> = [];
    for (let i = 1; i <= 3; i++) {
      const evs = await events(`${h.url}build/gh/org/repo/HEAD`, {
        'x-forwarded-for': `198.51.100.${i}, 192.0.2.9`,
      });
      statuses.push(lastFailure(evs).status_code);
    }
    expect(statuses[2]).toBe(429);
  });

  it('counts the addresses of one IPv6 /64 as one client', async () => {
    const statuses: Array<number | undefined> = [];
    for (const host of ['a', 'b', 'c']) {
      const evs = await events(`${h.url}build/gh/org/repo/HEAD`, {
        'x-forwarded-for': `2001:db8:1:2::${host}`,
      });
      statuses.push(lastFailure(evs).status_code);
    }
    expect(statuses[2]).toBe(429);
  });

  it('refuses a client address that is not an IP, and stores nothing for it', async () => {
    for (const bogus of ['not-an-ip', 'x'.repeat(5000)]) {
      const evs = await events(`${h.url}build/gh/org/repo/HEAD`, { 'x-forwarded-for': bogus });
      expect(lastFailure(evs)).toMatchObject({ status_code: 400 });
      expect(lastFailure(evs).message).toMatch(/X-Forwarded-For/);
      const res = await fetch(`${h.url}api/repoproviders`, {
        headers: { 'x-forwarded-for': bogus },
      });
      expect(res.status).toBe(400);
    }
    const redis = h.api.runtime.deps.redis;
    expect(await redis.keys(`${h.config.Redis.key_prefix}:*not-an-ip*`)).toEqual([]);
    expect(await redis.keys(`${h.config.Redis.key_prefix}:*xxxxxxxx*`)).toEqual([]);
  });
});

describe('build tokens, launch pages and event streams have limits of their own', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      overrides,
      config: {
        BinderHub: { enable_api_only_mode: false },
        RateLimiter: {
          limit: 1,
          build_token_limit: 2,
          launch_page_limit: 3,
          period_seconds: 600,
        },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function launchPage(spec: string) {
    const res = await fetch(`${h.url}v2/gh/${spec}`);
    const html = await res.text();
    return { res, html, token: /data-token="([^"]+)"/.exec(html)?.[1] };
  }

  it('counts requests that carry a build token against build_token_limit', async () => {
    const { token } = await launchPage('org/repo/HEAD');
    expect(token).toBeTruthy();
    const outcomes: Array<number | undefined> = [];
    for (let i = 0; i < 3; i++) {
      const evs = await events(`${h.url}build/gh/org/repo/HEAD?build_token=${token}`);
      outcomes.push(lastFailure(evs).status_code);
    }
    expect(outcomes[2]).toBe(429);
    const evs = await events(`${h.url}build/gh/org/repo/HEAD?build_token=${token}`);
    const refusal = lastFailure(evs);
    expect(refusal.message).toMatch(/this Binder/);
    expect(refusal.message).toMatch(/Try again in \d+ seconds/);
  });

  it('names this Binder in the 429 without a token and keeps the x-ratelimit headers', async () => {
    await events(`${h.url}build/gh/org/other/HEAD`);
    const res = await fetch(`${h.url}build/gh/org/other/HEAD`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(res.headers.get('x-ratelimit-limit')).toBe('1');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    const text = await res.text();
    expect(text).toContain('"status_code":429');
    expect(text).toMatch(/this Binder \(127\.0\.0\.1:\d+\)/);
    expect(text).not.toMatch(/GitHub/);
  });

  it('limits launch pages (which mint build tokens)', async () => {
    // One page was served by the first test.
    expect((await launchPage('org/a/HEAD')).res.status).toBe(200);
    expect((await launchPage('org/b/HEAD')).res.status).toBe(200);
    const refused = await launchPage('org/c/HEAD');
    expect(refused.res.status).toBe(429);
    expect(refused.token).toBeUndefined();
    expect(refused.html).toMatch(/this Binder/);
  });
});

describe('RateLimiter.max_concurrent_streams', () => {
  let h: Harness;
  const open: AbortController[] = [];
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      config: { RateLimiter: { limit: 100, max_concurrent_streams: 2 } },
    });
  });
  afterAll(async () => {
    open.splice(0).forEach((ac) => ac.abort());
    await h?.close();
  });

  it('refuses the stream beyond max_concurrent_streams per client, then frees the slot', async () => {
    const started: Array<Promise<unknown>> = [];
    for (let i = 0; i < 2; i++) {
      const ac = new AbortController();
      open.push(ac);
      await new Promise<void>((resolve, reject) => {
        started.push(
          readEventStream(`${h.url}${waitingBuild()}`, {
            signal: ac.signal,
            onEvent: (e) => (e.phase === 'waiting' ? resolve() : reject(new Error(e.message))),
          }).catch(() => undefined),
        );
      });
    }
    const third = await events(`${h.url}${waitingBuild()}`);
    expect(lastFailure(third)).toMatchObject({ status_code: 429 });
    expect(lastFailure(third).message).toMatch(/event streams/);
    open.shift()!.abort();
    await Promise.race(started);
    let phase: string | undefined;
    for (let i = 0; i < 50 && phase !== 'waiting'; i++) {
      const ac = new AbortController();
      open.push(ac);
      await readEventStream(`${h.url}${waitingBuild()}`, {
        signal: ac.signal,
        onEvent: (e) => {
          phase = e.phase;
          ac.abort();
        },
      }).catch(() => undefined);
      if (phase !== 'waiting') await new Promise((r) => setTimeout(r, 50));
    }
    expect(phase).toBe('waiting');
  });
});

describe('pathological request paths', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      overrides,
      config: { BinderHub: { enable_api_only_mode: false } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const slashes = '/'.repeat(15_000);

  it('refuses an over-long /build path with one failed event (414)', async () => {
    const evs = await events(`${h.url}build/gh/org/repo/HEAD${slashes}x`);
    expect(evs).toHaveLength(1);
    expect(lastFailure(evs)).toMatchObject({ status_code: 414 });
    expect(lastFailure(evs).message).toMatch(/longer than \d+ characters/);
  });

  it('refuses over-long launch pages, legacy links and API paths with a 414 JSON body', async () => {
    for (const path of [
      `v2/gh/org${slashes}x`,
      `repo/org/repo${slashes}x`,
      `api/builds${slashes}`,
    ]) {
      const res = await fetch(`${h.url}${path}`);
      expect(res.status, path.slice(0, 20)).toBe(414);
      expect(await res.json()).toMatchObject({ status: 414 });
    }
  });

  it('answers /versions while ten such requests are in flight', async () => {
    const flood = Array.from({ length: 10 }, () =>
      fetch(`${h.url}build/gh/a${slashes}b`, { headers: { accept: 'text/event-stream' } }).then(
        (r) => r.text(),
      ),
    );
    const versions = await fetch(`${h.url}versions`);
    expect(versions.status).toBe(200);
    for (const text of await Promise.all(flood)) expect(text).toContain('"status_code":414');
  });
});

describe('/api/builds is guarded and paginated', () => {
  let h: Harness;
  let banned: Harness;
  beforeAll(async () => {
    h = await startHarness({ runner: false, config: { RateLimiter: { builds_api_limit: 6 } } });
    banned = await startHarness({
      runner: false,
      config: { BinderHub: { ban_networks: { '127.0.0.0/8': 'the loopback network' } } },
    });
  });
  afterAll(async () => {
    await h?.close();
    await banned?.close();
  });

  it('refuses a banned network with 403', async () => {
    const res = await fetch(`${banned.url}api/builds?repo=org/repo`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      status: 403,
      error: 'Requests from the loopback network are not allowed',
    });
  });

  it("pages through a repository's builds with a cursor, then rate-limits", async () => {
    const q = h.api.runtime.deps.buildQueue;
    for (let i = 0; i < 5; i++) {
      await q.enqueue(testJob(`paged-${i}-${sha().slice(0, 6)}`, { spec: 'org/paged/HEAD' }));
      await q.enqueue(testJob(`other-${i}-${sha().slice(0, 6)}`));
    }
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null && pages < 5) {
      const res = await fetch(
        `${h.url}api/builds?repo=org/paged&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        builds: Array<{ buildName: string }>;
        next: string | null;
      };
      expect(body.builds.length).toBeLessThanOrEqual(2);
      seen.push(...body.builds.map((b) => b.buildName));
      cursor = body.next;
      pages++;
    }
    expect(new Set(seen).size).toBe(5);
    expect(seen).toHaveLength(5);
    const bad = await fetch(`${h.url}api/builds?repo=org/paged&cursor=nonsense`);
    expect(bad.status).toBe(400);
    let last = 0;
    for (let i = 0; i < 6 && last !== 429; i++) {
      last = (await fetch(`${h.url}api/builds?repo=org/paged`)).status;
    }
    expect(last).toBe(429);
  });
});
