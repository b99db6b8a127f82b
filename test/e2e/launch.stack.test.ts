import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { phaseSequence, readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// End to end, against the real local stack: git server on loopback, Redis queue, runner
// with repo2docker on the Docker engine, the registry, and JupyterHub with DockerSpawner.

const DOCKERFILE = 'FROM binderhub-ts/jupyter-base:1\nRUN echo "built by the e2e test"\n';

function buildUrl(h: Harness, repo: ServedGitRepo, ref = 'HEAD'): string {
  return `${h.url}build/git/${encodeURIComponent(repo.url)}/${ref}`;
}

function last(events: ReceivedEvent[]): ReceivedEvent {
  return events[events.length - 1]!;
}

describe('Binder links, end to end', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  let broken: ServedGitRepo;
  const launched: string[] = [];

  beforeAll(async () => {
    await requireStack();
    h = await startHarness();
    repo = await serveGitRepo({ Dockerfile: DOCKERFILE, 'README.md': '# e2e\n' });
    broken = await serveGitRepo({
      Dockerfile: 'FROM binderhub-ts/jupyter-base:1\nRUN echo "about to fail" && exit 3\n',
    });
  }, 120_000);

  afterAll(async () => {
    for (const url of launched) await h.stopServer(url);
    await repo?.close();
    await broken?.close();
    await h?.close();
  });

  it('builds, pushes and launches a repository, then serves the notebook with its token', async () => {
    const { status, events } = await readEventStream(buildUrl(h, repo));
    expect(status).toBe(200);
    const phases = phaseSequence(events);
    for (const p of ['waiting', 'fetching', 'building', 'pushing', 'built', 'launching', 'ready']) {
      expect(phases, `phases ${phases.join(',')}`).toContain(p);
    }
    const order = ['waiting', 'fetching', 'building', 'pushing', 'built', 'launching', 'ready'];
    const firstIndex = order.map((p) => events.findIndex((e) => e.phase === p));
    expect([...firstIndex].sort((a, b) => a - b)).toEqual(firstIndex);
    expect(events.every((e) => typeof e.message === 'string')).toBe(true);
    const ready = last(events);
    expect(ready.phase).toBe('ready');
    const { url, token, image, repo_url } = ready.data as Record<string, string>;
    launched.push(url!);
    expect(repo_url).toBe(repo.url);
    expect(image).toContain(`:${repo.sha}`);
    expect(ready.id).toMatch(/^done-/);
    const page = await fetch(`${url}api/status?token=${token}`);
    expect(page.status).toBe(200);
    const withoutToken = await fetch(`${url}api/status`);
    expect(withoutToken.status).toBe(403);
    expect(h.buildRuns).toBe(1);
  });

  it('goes straight to "built" when the image exists, with no second build', async () => {
    const { events } = await readEventStream(buildUrl(h, repo, repo.sha));
    expect(events[0]!.phase).toBe('built');
    expect(events[0]!.message).toBe('Found built image, launching...\n');
    expect(last(events).phase).toBe('ready');
    launched.push(String(last(events).data.url));
    expect(h.buildRuns).toBe(1);
  });

  it('answers build_only with ready and the image name, without launching', async () => {
    const { events } = await readEventStream(`${buildUrl(h, repo)}?build_only=true`);
    expect(events.map((e) => e.phase)).toEqual(['ready']);
    expect(last(events).data.imageName).toContain(`:${repo.sha}`);
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
