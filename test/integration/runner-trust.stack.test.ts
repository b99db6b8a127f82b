import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isTerminalBuildEvent,
  withTimeout,
  type BuildEvent,
  type BuildJob,
} from '../../queue/index.js';
import { buildIdentity } from '../../queue/repo-specs/build-identity.js';
import { buildName, imageName } from '../../queue/repo-specs/build-names.js';
import { repoSpecFor } from '../../queue/repo-specs/repo-spec-for.js';
import { pyQuote } from '../../queue/repo-specs/spec-parts.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// Jobs written straight into Redis (as anyone who can reach Redis could), bypassing the
// api: the real runner (docker backend) must recompute names and URL from the job's
// provider, spec and ref, refuse what does not match or fails the URL policy, and start
// nothing. `trap` is a loopback listener that is not allowed: nobody may connect to it.

const DOCKERFILE = 'FROM binderhub-ts/jupyter-base:1\n';

describe('the runner trusts nothing from Redis', () => {
  let h: Harness;
  let trap: RecordingServer;
  let repo: ServedGitRepo;
  let other: ServedGitRepo;

  /** A job as the api would write it for a `git` repository at `sha`. */
  function jobFor(url: string, sha: string, over: Partial<BuildJob> = {}): BuildJob {
    return {
      buildName: buildName(url, sha),
      image: imageName(h.config.BinderHub.image_prefix, url, sha),
      provider: 'git',
      providerName: 'Git',
      spec: `${pyQuote(url)}/${sha}`,
      resolvedSpec: `${pyQuote(url)}/${sha}`,
      repoUrl: url,
      ref: sha,
      trigger: 'launch',
      requestedAt: Date.now(),
      ...over,
    };
  }

  /** A job as the api would write it for a data provider's spec at `ref` (names consistent). */
  function dataJob(provider: string, spec: string, ref: string): BuildJob {
    const s = repoSpecFor(h.config, provider, spec)!;
    const identity = buildIdentity(s, ref, h.config.BinderHub.image_prefix);
    return { ...identity, provider, spec, ref, trigger: 'launch', requestedAt: Date.now() };
  }

  /** Adds the job to the queue through BullMQ (no validation) and waits for its end. */
  async function runForged(job: BuildJob): Promise<BuildEvent> {
    const { bus, buildQueue } = h.api.runtime.deps;
    // Forget an earlier job of the same name (several tests forge one build's name).
    await (await buildQueue.bullmq.getJob(job.buildName))?.remove();
    await bus.reset(job.buildName);
    let unsubscribe: (() => void) | undefined;
    const end = new Promise<BuildEvent>((resolve) => {
      void bus
        .follow(job.buildName, undefined, ({ event }) => {
          if (isTerminalBuildEvent(event)) resolve(event);
        })
        .then((u) => (unsubscribe = u));
    });
    await buildQueue.bullmq.add('forged', job, { jobId: job.buildName });
    try {
      const event = await withTimeout(end, 120_000, 'the forged job');
      await finished(job.buildName);
      return event;
    } finally {
      unsubscribe?.();
    }
  }

  /**
   * Waits until BullMQ has the job as finished: the runner publishes the terminal event
   * before the worker moves the job out of `active`, and an active job cannot be removed
   * by the next test forging the same build name.
   */
  async function finished(name: string): Promise<void> {
    const { buildQueue } = h.api.runtime.deps;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const state = await (await buildQueue.bullmq.getJob(name))?.getState();
      if (state === undefined || state === 'completed' || state === 'failed') return;
      if (Date.now() > deadline) throw new Error(`the forged job ${name} is still ${state}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  beforeAll(async () => {
    await requireStack();
    trap = await startRecordingServer();
    repo = await serveGitRepo({ Dockerfile: DOCKERFILE });
    other = await serveGitRepo({ Dockerfile: DOCKERFILE, 'README.md': 'other\n' });
    h = await startHarness({
      config: {
        GitRepoProvider: { allowed_private_hosts: [new URL(repo.url).host] },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await repo?.close();
    await other?.close();
    await trap?.close();
  });

  it.each([
    ['the backslash trick', () => `http://8.8.8.8\\@127.0.0.1:${trap.port}/x.git`],
    ['a loopback port that is not allowed', () => `http://127.0.0.1:${trap.port}/x.git`],
    ['a local path, consistently in every field', () => '/var/run/secrets'],
    ['a file:// URL', () => 'file:///var/run/secrets'],
  ])('refuses a job whose repository URL fails the URL policy: %s', async (_name, url) => {
    const event = await runForged(jobFor(url(), repo.sha));
    expect(event.phase).toBe('failed');
    expect(event.message).toMatch(
      /^Build refused: .*(is not allowed in a repository URL|private or local addresses are not allowed|Invalid git url \/var\/run\/secrets\n|protocol file not in)/,
    );
    expect(h.buildRuns).toBe(0);
    expect(trap.connections).toBe(0);
  });

  it('refuses a job that names another repository’s image', async () => {
    const job = jobFor(repo.url, repo.sha, {
      image: imageName(h.config.BinderHub.image_prefix, other.url, other.sha),
    });
    const event = await runForged(job);
    expect(event.phase).toBe('failed');
    expect(event.message).toMatch(/^Build refused: the job's image .* is not the one/);
    expect(h.buildRuns).toBe(0);
  });

  it('refuses a job whose repoUrl is a local path', async () => {
    const event = await runForged(jobFor(repo.url, repo.sha, { repoUrl: '/etc' }));
    expect(event.phase).toBe('failed');
    expect(event.message).toMatch(/^Build refused: the job's repoUrl .* is not the one/);
    expect(h.buildRuns).toBe(0);
  });

  it('refuses a job whose build name belongs to another build', async () => {
    const job = jobFor(repo.url, repo.sha, { buildName: buildName(other.url, other.sha) });
    const event = await runForged(job);
    expect(event.message).toMatch(/^Build refused: the job's buildName .* is not the one/);
    expect(h.buildRuns).toBe(0);
  });

  it('refuses a job for an unknown provider or with a ref that is not a commit', async () => {
    const unknown = await runForged(jobFor(repo.url, repo.sha, { provider: 'local' }));
    expect(unknown.message).toMatch(/^Build refused: unknown provider "local"/);
    const moving = jobFor(repo.url, 'main');
    const event = await runForged(moving);
    expect(event.message).toMatch(/^Build refused: .*ref "main" is not a commit id/);
    expect(h.buildRuns).toBe(0);
  });

  it.each([
    ['zenodo', '10.5281/zenodo.3242074', 'main', /ref "main" is not a Zenodo record id/],
    [
      'figshare',
      '10.6084/m9.figshare.9782777.v1',
      '9782777.v2',
      /ref "9782777\.v2" is not this article's <article id>\.v<version>/,
    ],
    ['figshare', '10.6084/m9.figshare.9782777', '1111.v1', /ref "1111\.v1" is not this article's/],
    ['dataverse', '10.7910/DVN/TJCLKP', '3035124', /ref "3035124" is not a Dataverse version/],
    [
      'swhid',
      `swh:1:dir:${'a'.repeat(40)}`,
      'b'.repeat(40),
      /is not the id \(40 hex\) of the directory this SWHID names/,
    ],
  ])(
    'refuses a %s job whose ref is not what that spec resolves to',
    async (p, spec, ref, message) => {
      const event = await runForged(dataJob(p, spec, ref));
      expect(event.phase).toBe('failed');
      expect(event.message).toMatch(message);
      expect(h.buildRuns).toBe(0);
    },
  );

  it('refuses a data job whose site fails the URL policy, connecting to nothing', async () => {
    const ckan = encodeURIComponent(`http://127.0.0.1:${trap.port}/dataset/x`);
    const event = await runForged(dataJob('ckan', ckan, 'x.v1709288430'));
    expect(event.message).toMatch(/^Build refused: .*private or local addresses are not allowed/);
    const forgedName = {
      ...dataJob('ckan', ckan, 'x.v1709288430'),
      buildName: buildName('x', 'y'),
    };
    expect((await runForged(forgedName)).message).toMatch(/the job's buildName .* is not the one/);
    expect(h.buildRuns).toBe(0);
    expect(trap.connections).toBe(0);
  });

  it('builds a job that matches what it recomputes', async () => {
    const event = await runForged(jobFor(repo.url, repo.sha));
    expect(event.phase, event.message).toBe('built');
    expect(h.buildRuns).toBe(1);
  });
});
