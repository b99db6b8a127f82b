import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageName } from '../../queue/repo-specs/build-names.js';
import { gitHubApiStandIn } from './github-api-stand-in.js';
import {
  createTagPayload,
  deliver,
  fixture,
  pushPayload,
  randomSha,
  type PushOptions,
} from './github-deliveries.js';
import { putTinyImage } from '../helpers/registry-image.js';
import { SECRET, startWebhookApp, total, type WebhookApp } from './webhook-app.js';

/** Accepted deliveries: what gets enqueued (real app, real Redis, real registry). */
describe('GitHub webhook: pushes', () => {
  let app: WebhookApp;
  const api = gitHubApiStandIn();
  const org = `org-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    app = await startWebhookApp({
      overrides: { providerFetch: api.fetch },
      config: {
        GitHubWebhook: {
          branch_patterns: ['release/*'],
          tag_patterns: ['v*'],
          opt_out_repos: [`${org}/opted-out`],
        },
        GitHubRepoProvider: { banned_specs: [`^${org}/banned/`] },
      },
    });
  });
  afterAll(async () => app?.close());

  const push = (o: PushOptions, deliveryId?: string) =>
    deliver(app.hookUrl, { payload: pushPayload(o), secret: SECRET, deliveryId });

  async function jobsOf(repo: string) {
    await app.prebuilds.scheduler.idle();
    const jobs = await app.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting', 'delayed']);
    return jobs.filter((j) => j.data.spec.startsWith(`${repo}/`));
  }

  it('answers ping with pong', async () => {
    const r = await deliver(app.hookUrl, {
      event: 'ping',
      payload: fixture('ping'),
      secret: SECRET,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ message: 'pong', warnings: [] });
  });

  it('ignores events it does not use with 202', async () => {
    const r = await deliver(app.hookUrl, {
      event: 'issues',
      payload: fixture('issues-opened'),
      secret: SECRET,
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ outcome: 'ignored' });
    expect(total(await app.jobCounts())).toBe(0);
  });

  it('enqueues one pre-build for a push to the default branch', async () => {
    const repo = `${org}/hello`;
    const sha = randomSha();
    const r = await push({ repo, sha });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ outcome: 'accepted', repo, sha, ref: 'refs/heads/main' });
    const jobs = await jobsOf(repo);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    const image = imageName(app.config.BinderHub.image_prefix, `${org}-hello`, sha);
    expect(job.data).toMatchObject({
      trigger: 'push',
      provider: 'gh',
      spec: `${repo}/${sha}`,
      resolvedSpec: `${repo}/${sha}`,
      ref: sha,
      image,
      repoUrl: `https://github.com/${repo}`,
    });
    expect(job.id).toBe(job.data.buildName);
    expect(job.priority).toBe(app.config.BuildQueue.prebuild_priority);
    expect(api.requests).toEqual([]); // the pushed sha is used as is: no API call

    // A redelivery (same X-GitHub-Delivery) changes nothing.
    const again = await push({ repo, sha }, r.deliveryId);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'duplicate' });
    // Another delivery of the same commit attaches to the same job.
    expect((await push({ repo, sha })).status).toBe(202);
    expect(await jobsOf(repo)).toHaveLength(1);

    // A launch of that commit attaches to the pre-build (same job id).
    const launch = await app.deps.buildQueue.enqueue({ ...job.data, trigger: 'launch' });
    expect(launch.outcome).toBe('attached');
    expect(launch.job.data.buildName).toBe(job.id);

    const pushes = await app.prebuilds.pushLog.recent('gh', repo);
    expect(pushes.map((p) => p.outcome)).toEqual(['attached', 'queued']);
  });

  it('lists the pre-build in GET /api/builds', async () => {
    const repo = `${org}/listed`;
    const sha = randomSha();
    await push({ repo, sha });
    await app.prebuilds.scheduler.idle();
    for (const q of [repo, `https://github.com/${repo}.git`]) {
      const res = await fetch(`${app.url}api/builds?repo=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { repo: string; builds: unknown[]; pushes: unknown[] };
      expect(body.repo).toBe(repo);
      expect(body.builds).toEqual([
        expect.objectContaining({ trigger: 'push', sha, state: 'queued', startedAt: null }),
      ]);
      expect(body.pushes).toEqual([expect.objectContaining({ sha, outcome: 'queued' })]);
    }
    const bad = await fetch(`${app.url}api/builds?repo=${encodeURIComponent('not a repo')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 400 });
    expect((await fetch(`${app.url}api/builds`)).status).toBe(400);
  });

  it('builds configured branches and tags, ignores the rest', async () => {
    const repo = `${org}/patterns`;
    const cases: Array<[PushOptions, string]> = [
      [{ repo, sha: randomSha(), ref: 'refs/heads/release/1.x' }, 'accepted'],
      [{ repo, sha: randomSha(), ref: 'refs/heads/feature/x' }, 'ignored'],
      [{ repo, sha: randomSha(), ref: 'refs/tags/v2.0.0' }, 'accepted'],
      [{ repo, sha: randomSha(), ref: 'refs/tags/nightly' }, 'ignored'],
      [{ repo, sha: randomSha(), ref: 'refs/heads/main', deleted: true }, 'ignored'],
    ];
    for (const [o, outcome] of cases) {
      const r = await push(o);
      expect(r.body.outcome, o.ref).toBe(outcome);
    }
    const jobs = await jobsOf(repo);
    expect(jobs.map((j) => j.data.ref).sort()).toEqual([cases[0]![0].sha, cases[2]![0].sha].sort());
  });

  it('follows the repository default branch from the payload', async () => {
    const repo = `${org}/trunk`;
    const onTrunk = await push({
      repo,
      sha: randomSha(),
      ref: 'refs/heads/trunk',
      defaultBranch: 'trunk',
    });
    const onMain = await push({
      repo,
      sha: randomSha(),
      ref: 'refs/heads/main',
      defaultBranch: 'trunk',
    });
    expect(onTrunk.body.outcome).toBe('accepted');
    expect(onMain.body).toMatchObject({ outcome: 'ignored' });
    expect(onMain.body.reason).toMatch(/not the default branch \(trunk\)/);
  });

  it('skips opted-out and banned repositories', async () => {
    for (const repo of [`${org}/opted-out`, `${org}/banned`]) {
      const r = await push({ repo, sha: randomSha() });
      expect(r.status).toBe(202);
      expect(r.body.outcome).toBe('ignored');
      expect(await jobsOf(repo)).toHaveLength(0);
    }
  });

  it('skips a commit whose image is in the registry already', async () => {
    const repo = `${org}/cached`;
    const sha = randomSha();
    await putTinyImage(imageName(app.config.BinderHub.image_prefix, `${org}-cached`, sha));
    expect((await push({ repo, sha })).status).toBe(202);
    expect(await jobsOf(repo)).toHaveLength(0);
    const [entry] = await app.prebuilds.pushLog.recent('gh', repo);
    expect(entry).toMatchObject({ outcome: 'exists', sha });
  });

  it('builds a created tag, resolving it through the GitHub API', async () => {
    const repo = `${org}/tagged`;
    const sha = randomSha();
    api.setRef(repo, 'v1.0.0', sha);
    const r = await deliver(app.hookUrl, {
      event: 'create',
      payload: createTagPayload(repo, 'v1.0.0'),
      secret: SECRET,
    });
    expect(r.status).toBe(202);
    const jobs = await jobsOf(repo);
    expect(jobs.map((j) => j.data.ref)).toEqual([sha]);
    expect(api.requests).toContain(`/repos/${repo}/commits/v1.0.0`);
  });

  it('counts deliveries and pre-builds in /metrics', async () => {
    const text = await (await fetch(`${app.url}metrics`)).text();
    expect(text).toMatch(
      /binderhub_ts_webhook_deliveries_total\{source="github",event="push",outcome="accepted"\} [1-9]/,
    );
    expect(text).toMatch(/event="push",outcome="duplicate"\} 1/);
    expect(text).toMatch(/event="ping",outcome="pong"\} 1/);
    expect(text).toMatch(/binderhub_ts_prebuilds_total\{outcome="exists"\} 1/);
  });
});
