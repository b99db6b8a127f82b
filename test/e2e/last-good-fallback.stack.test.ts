import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { onlyJob, slowDockerfile, waitForState } from '../helpers/economy-helpers.js';

// `?fallback=last-good` (issue 15, item 1): a push of a new commit, then a launch that
// starts the previous commit's image at once while the new one builds. Real Redis,
// Docker, repo2docker, registry, JupyterHub and git server.

describe('launching the last good image while the new commit builds', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  const servers: string[] = [];
  let first = '';
  let second = '';
  let firstImage = '';
  const build = (query: string) => `${h.url}build/git/${encodeURIComponent(repo.url)}/HEAD${query}`;

  beforeAll(async () => {
    await requireStack();
    // A short grace: the new build must survive having no follower at all.
    h = await startHarness({
      config: { BuildQueue: { orphan_grace_seconds: 2, follower_lease_seconds: 3 } },
    });
    repo = await serveGitRepo({
      Dockerfile: `FROM binderhub-ts/jupyter-base:1\nRUN echo "v1 ${randomUUID()}"\n`,
    });
    first = repo.sha;
    const { events } = await readEventStream(build('?build_only=true'));
    const ready = events.at(-1)!;
    expect(ready.phase, JSON.stringify(ready.data)).toBe('ready');
    firstImage = String(ready.data.imageName);
    expect(firstImage).toMatch(new RegExp(`:${first}$`));
    second = await repo.addCommit({ Dockerfile: slowDockerfile(randomUUID(), 25) });
  }, 300_000);
  afterAll(async () => {
    for (const url of servers) await h.stopServer(url);
    await repo?.close();
    await h?.close();
  });

  it('starts the earlier commit at once (built < 1 s), says which commit, and builds the new one', async () => {
    const t0 = performance.now();
    let builtAt = 0;
    const { events } = await readEventStream(build('?fallback=last-good'), {
      onEvent: (e) => {
        if (e.phase === 'built') builtAt = performance.now();
      },
    });
    const readyMs = performance.now() - t0;
    const builtMs = builtAt - t0;
    const built = events.find((e) => e.phase === 'built')!;
    const ready = events.at(-1)!;
    expect(ready.phase, JSON.stringify(ready.data)).toBe('ready');
    servers.push(String(ready.data.url));
    process.stdout.write(
      `[economy] fallback launch: built after ${builtMs.toFixed(0)} ms, ready after ${readyMs.toFixed(0)} ms\n`,
    );
    expect(builtMs).toBeLessThan(1000);
    expect(built.data).toMatchObject({
      imageName: firstImage,
      resolved_ref: first,
      latest_ref: second,
      fallback: 'last-good',
    });
    expect(built.message).toMatch(/earlier commit/);
    expect(ready.data).toMatchObject({
      image: firstImage,
      resolved_ref: first,
      latest_ref: second,
    });
    expect(events.map((e) => e.phase)).not.toContain('building');

    // The new commit builds meanwhile, though nobody follows it.
    const job = await onlyJob(h, ['active', 'waiting', 'prioritized']);
    expect(job.data.ref).toBe(second);
  }, 120_000);

  it('offers the earlier image beside the build of a plain launch', async () => {
    const abort = new AbortController();
    let offer: ReceivedEvent | undefined;
    await readEventStream(build(''), {
      signal: abort.signal,
      onEvent: (e) => {
        if (e.data.last_good) {
          offer = e;
          abort.abort();
        }
      },
    }).catch(() => undefined);
    expect(offer?.phase).toBe('waiting');
    expect(offer?.data.last_good).toMatchObject({ commit: first });
    expect(offer?.message).toMatch(/fallback=last-good/);
  }, 60_000);

  it('keeps building the new commit (not cancelled although nobody followed it); later launches get it', async () => {
    const job = await onlyJob(h, ['active', 'waiting', 'prioritized']);
    const state = await waitForState(
      h,
      String(job.id),
      (s) => s === 'completed' || s === 'failed',
      120_000,
    );
    expect(state?.state, state?.failedReason).toBe('completed');
    const { events } = await readEventStream(build('?fallback=last-good&build_only=true'));
    const ready = events.at(-1)!;
    expect(ready.data.imageName).toMatch(new RegExp(`:${second}$`));
  }, 180_000);

  it('refuses an unknown fallback with a clear failed event', async () => {
    const { events } = await readEventStream(build('?fallback=newest'));
    expect(events.at(-1)?.data).toMatchObject({ phase: 'failed', status_code: 400 });
    expect(events.at(-1)?.message).toMatch(/only one is fallback=last-good/);
  });
});
