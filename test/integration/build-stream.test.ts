import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';

// Stream behaviour with no runner (builds wait in the queue): keepalive comments, and
// GitHub's master → HEAD fallback. The GitHub API is replayed (it cannot be reached here).
const SHA = '0123456789abcdef0123456789abcdef01234567';

function githubReplay(): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/commits/HEAD')) {
      return new Response(JSON.stringify({ sha: SHA }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    return new Response(JSON.stringify({ message: 'No commit found for SHA: master' }), {
      status: 422,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
}

/** Reads a stream until `stop` says so, then disconnects (as a client giving up would). */
async function readUntil(
  url: string,
  stop: (events: ReceivedEvent[]) => boolean,
): Promise<ReceivedEvent[]> {
  const abort = new AbortController();
  const events: ReceivedEvent[] = [];
  await readEventStream(url, {
    signal: AbortSignal.any([abort.signal, AbortSignal.timeout(10_000)]),
    onEvent: (e) => {
      events.push(e);
      if (stop(events)) abort.abort();
    },
  }).catch(() => undefined);
  return events;
}

describe('the /build stream while a build waits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      overrides: { providerFetch: githubReplay(), keepaliveMs: 100 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sends :keepalive comments while nothing else happens', async () => {
    const res = await fetch(`${h.url}build/gh/org/repo/HEAD`, {
      headers: { accept: 'text/event-stream' },
      signal: AbortSignal.timeout(1500),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    let text = '';
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        if ((text.match(/^:keepalive$/gm) ?? []).length >= 3) break;
      }
    } catch {
      // timed out
    }
    await reader.cancel().catch(() => undefined);
    expect(text).toContain(
      'data: {"phase":"waiting","message":"Waiting for build to start...\\n"}',
    );
    expect((text.match(/^:keepalive$/gm) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('falls back from master to HEAD on GitHub, with the hint, and goes on', async () => {
    const events = await readUntil(`${h.url}build/gh/org/repo/master`, (ev) =>
      ev.some((e) => e.message === 'Waiting for build to start...\n'),
    );
    expect(events[0]!.phase).toBe('waiting');
    expect(events[0]!.message).toBe(
      'GitHub has changed default branches from "master" to "main". Tip: HEAD will always resolve to a repository\'s default branch.\nTrying again with HEAD instead of master. Please update your links.\n',
    );
    const job = await h.api.runtime.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting']);
    expect(job.map((j) => j.data.ref)).toContain(SHA);
  });

  it('ends with a clear failed event (503) when Redis is unreachable, instead of hanging', async () => {
    const cut = await startHarness({
      runner: false,
      config: { Redis: { url: 'redis://127.0.0.1:9' } },
    });
    try {
      const repo = encodeURIComponent('http://127.0.0.1:9/repo.git');
      const { events } = await readEventStream(`${cut.url}build/git/${repo}/${SHA}`, {
        signal: AbortSignal.timeout(30_000),
      });
      const last = events[events.length - 1]!;
      expect(last.data).toMatchObject({ phase: 'failed', status_code: 503 });
      expect(last.message).toMatch(/build queue is not reachable/);
    } finally {
      await cut.close();
    }
  }, 60_000);
});
