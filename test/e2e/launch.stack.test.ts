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
  const launched: string[] = [];

  beforeAll(async () => {
    await requireStack();
    h = await startHarness();
    repo = await serveGitRepo({ Dockerfile: DOCKERFILE, 'README.md': '# e2e\n' });
  }, 120_000);

  afterAll(async () => {
    for (const url of launched) await h.stopServer(url);
    await repo?.close();
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
  // The failing build, the reconnect after the end and the dedup of 20 concurrent requests
  // run on the fakes: test/integration/build-protocol.test.ts.
});
