import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// Launch quotas counted from the real JupyterHub's running servers.
describe('launch quotas', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  const launched: string[] = [];

  beforeAll(async () => {
    await requireStack();
    repo = await serveGitRepo({ Dockerfile: 'FROM binderhub-ts/jupyter-base:1\nRUN echo quota\n' });
    h = await startHarness({ config: { BinderHub: { per_repo_quota: 1 } } });
  }, 120_000);
  afterAll(async () => {
    for (const url of launched) await h.stopServer(url);
    await repo?.close();
    await h?.close();
  });

  const url = () => `${h.url}build/git/${encodeURIComponent(repo.url)}/HEAD`;

  it('refuses a second server of a repository over BinderHub.per_repo_quota', async () => {
    const first = await readEventStream(url());
    const ready = first.events[first.events.length - 1]!;
    expect(ready.phase).toBe('ready');
    launched.push(String(ready.data.url));
    const second = await readEventStream(url());
    const last = second.events[second.events.length - 1]!;
    expect(last.data).toMatchObject({ phase: 'failed', status_code: 429 });
    expect(last.message).toBe(`Too many users running ${repo.url}! Try again soon.\n`);
    expect(second.events.map((e) => e.phase)).not.toContain('launching');
    const metrics = await (await fetch(`${h.url}metrics`)).text();
    expect(metrics).toMatch(
      /binderhub_launch_count\{status="repo_quota",provider="Git",repo="[^"]+"\} 1/,
    );
  });

  it('refuses every launch in maintenance mode (LaunchQuota.total_quota: 0), before building', async () => {
    const maintenance = await startHarness({
      runner: false,
      config: { LaunchQuota: { total_quota: 0 } },
    });
    try {
      const { events } = await readEventStream(
        `${maintenance.url}build/git/${encodeURIComponent(repo.url)}/HEAD`,
      );
      expect(events.map((e) => e.phase)).toEqual(['failed']);
      expect(events[0]!.message).toBe('Too many users on this BinderHub! Try again soon.\n');
      expect(await maintenance.api.runtime.deps.buildQueue.bullmq.count()).toBe(0);
    } finally {
      await maintenance.close();
    }
  });
});
