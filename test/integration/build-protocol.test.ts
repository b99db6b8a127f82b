import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// The `/build` protocol on the fakes (docs/testing.md): the real api, queue and runner on
// Redis, with `Runner.backend: fake`, a FakeImageRegistry and a FakeLauncher in place of
// Docker, the registry and JupyterHub. Not an end-to-end test: the build and the launch
// are scripted. Their real counterparts: test/e2e/launch.stack.test.ts,
// test/e2e/build-logs.stack.test.ts and test/contracts/.

const DOCKERFILE = 'FROM binderhub-ts/jupyter-base:1\nRUN echo "built by the e2e test"\n';

function buildUrl(h: Harness, repo: ServedGitRepo, ref = 'HEAD'): string {
  return `${h.url}build/git/${encodeURIComponent(repo.url)}/${ref}`;
}

function last(events: ReceivedEvent[]): ReceivedEvent {
  return events[events.length - 1]!;
}

describe('the /build protocol (fake build, registry and launcher)', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  let broken: ServedGitRepo;
  const launched: string[] = [];

  beforeAll(async () => {
    repo = await serveGitRepo({ Dockerfile: DOCKERFILE, 'README.md': '# e2e\n' });
    broken = await serveGitRepo({
      Dockerfile: 'FROM binderhub-ts/jupyter-base:1\nRUN echo "about to fail" && exit 3\n',
    });
    h = await startHarness({
      fakes: true,
      config: {
        FakeBuildExecutor: {
          fail_matching: [broken.url],
          failure_message: 'repo2docker exited with code 3 (about to fail)',
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    for (const url of launched) await h.stopServer(url);
    await repo?.close();
    await broken?.close();
    await h?.close();
  });

  it('ends a failing build with "failed" and the reason, and launches nothing', async () => {
    const { events } = await readEventStream(buildUrl(h, broken));
    const phases = events.map((e) => e.phase);
    expect(phases).not.toContain('launching');
    expect(phases).not.toContain('ready');
    const failed = last(events);
    expect(failed.phase).toBe('failed');
    expect(failed.message).toMatch(/non-zero code|exited with code|returned/);
    expect(events.some((e) => e.message?.includes('about to fail'))).toBe(true);
  });

  it('tells a reconnecting EventSource that saw the end to stop (204), starting nothing', async () => {
    const runs = h.buildRuns;
    const res = await fetch(buildUrl(h, broken), {
      headers: { accept: 'text/event-stream', 'last-event-id': 'done-0e2b1a9c' },
    });
    expect(res.status).toBe(204);
    expect(h.buildRuns).toBe(runs);
  });

  it('makes one build for 20 concurrent requests of a new image, and 20 ready events', async () => {
    const sha = await repo.addCommit({ 'notes.txt': 'a second commit, a new image\n' });
    const runs = h.buildRuns;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => readEventStream(buildUrl(h, repo, sha))),
    );
    for (const r of results) launched.push(String(last(r.events).data.url));
    expect(results.map((r) => last(r.events).phase)).toEqual(Array(20).fill('ready'));
    expect(h.buildRuns - runs).toBe(1);
    const urls = new Set(results.map((r) => last(r.events).data.url));
    expect(urls.size).toBe(20);
    // Everyone who waited on the build saw its log (history replay for late joiners).
    for (const r of results) {
      if (r.events[0]!.phase === 'built') continue;
      expect(r.events.some((e) => e.phase === 'pushing')).toBe(true);
    }
  }, 600_000);
});
