import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageName } from '../../queue/repo-specs/build-names.js';
import { pyQuote } from '../../queue/repo-specs/spec-parts.js';
import { serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { gitHubApiStandIn } from './github-api-stand-in.js';
import { deliver, pushPayload, randomSha } from './github-deliveries.js';
import { putTinyImage } from '../helpers/registry-image.js';
import { SECRET, startWebhookApp, total, type WebhookApp } from './webhook-app.js';

// POST /api/prebuilds against the real app: real Redis (queue, coalescing), the local
// registry, git repositories served on loopback; GitHub's API is a stand-in.

const TOKEN = `prebuild-${randomUUID()}`;
const ADMIN = `admin-${randomUUID()}`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function post(
  url: string,
  body: unknown,
  o: { token?: string | null; contentType?: string; method?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/json' };
  const token = o.token === undefined ? TOKEN : o.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}api/prebuilds`, {
    method: o.method ?? 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /api/prebuilds', () => {
  let app: WebhookApp;
  let repo: ServedGitRepo;
  const github = gitHubApiStandIn();
  const org = `api-${randomUUID().slice(0, 8)}`;
  const gitSpec = (ref: string) => `${pyQuote(repo.url)}/${ref}`;

  beforeAll(async () => {
    repo = await serveGitRepo({ Dockerfile: 'FROM binderhub-ts/jupyter-base:1\n' });
    app = await startWebhookApp({
      overrides: { providerFetch: github.fetch },
      config: {
        PrebuildApi: { token: TOKEN },
        Dashboard: { admin_token: ADMIN },
        GitRepoProvider: { allowed_private_hosts: ['127.0.0.1'], banned_specs: ['.*banned'] },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.close();
  });

  async function jobs() {
    await app.prebuilds.scheduler.idle();
    return app.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting', 'delayed']);
  }

  it('refuses requests without the token, and wrong tokens', async () => {
    const spec = gitSpec('main');
    for (const token of [null, 'not-the-token-0123456789']) {
      const r = await post(app.url, { provider: 'git', spec }, { token });
      expect(r.status, String(token)).toBe(401);
      expect(r.body.error).toMatch(/Bearer|Wrong token/);
    }
    expect(total(await app.jobCounts())).toBe(0);
  });

  it('answers bad input with a 4xx naming the problem, and changes nothing', async () => {
    const cases: Array<[unknown, { contentType?: string }, number, RegExp]> = [
      [{ provider: 'git', spec: gitSpec('main') }, { contentType: 'text/plain' }, 415, /json/],
      ['{"provider": "git", ', {}, 400, /not valid JSON/],
      [{ provider: 'git' }, {}, 400, /spec/],
      [{ provider: 'git', spec: gitSpec('main'), extra: 1 }, {}, 400, /extra/],
      [{ provider: 'svn', spec: 'x/y' }, {}, 400, /Unknown provider "svn".*gh/],
      [{ provider: 'gh', spec: 'only-an-owner' }, {}, 400, /user\/repo\/ref/],
      [{ provider: 'git', spec: `${pyQuote('-u evil')}/main` }, {}, 400, /cannot start with "-"/],
      [{ provider: 'git', spec: `${pyQuote(`${repo.url}-banned`)}/main` }, {}, 403, /not allowed/],
      [{ provider: 'git', spec: gitSpec('no-such-branch') }, {}, 404, /no such ref/],
      [{ provider: 'gh', spec: `${org}/missing/main` }, {}, 404, /Could not resolve ref/],
      [
        { provider: 'zenodo', spec: '10.5281/zenodo.1' },
        {},
        400,
        /Pre-builds of Zenodo .* not supported/,
      ],
    ];
    for (const [body, o, status, message] of cases) {
      const r = await post(app.url, body, o);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body).toMatchObject({ status, error: expect.stringMatching(message) });
    }
    const big = await post(app.url, { provider: 'git', spec: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    expect((await post(app.url, '', { method: 'PUT' })).status).toBe(405);
    expect(total(await app.jobCounts())).toBe(0);
  });

  it('enqueues one low-priority pre-build of the ref, as a push webhook does', async () => {
    const r = await post(app.url, { provider: 'git', spec: gitSpec('main') });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      outcome: 'queued',
      provider: 'git',
      repo: repo.url,
      ref: 'refs/heads/main',
      sha: repo.sha,
      event: 'api',
    });
    const queued = await jobs();
    expect(queued).toHaveLength(1);
    const job = queued[0]!;
    expect(job.data).toMatchObject({
      trigger: 'push',
      provider: 'git',
      spec: gitSpec(repo.sha),
      ref: repo.sha,
      repoUrl: repo.url,
      image: r.body.image,
      buildName: r.body.buildName,
    });
    expect(job.priority).toBe(app.config.BuildQueue.prebuild_priority);

    // The same commit again (the admin token works too): attached, still one job.
    const again = await post(app.url, { provider: 'git', spec: gitSpec('main') }, { token: ADMIN });
    expect(again).toMatchObject({ status: 202, body: { outcome: 'attached' } });
    expect(await jobs()).toHaveLength(1);
  });

  it('coalesces with push webhooks of the same branch: the newest commit wins', async () => {
    const slug = `${org}/mixed`;
    const first = randomSha();
    github.setRef(slug, 'main', first);
    const viaApi = await post(app.url, { provider: 'gh', spec: `${slug}/main` });
    expect(viaApi.body).toMatchObject({ outcome: 'queued', sha: first, ref: 'refs/heads/main' });

    const second = randomSha();
    const pushed = await deliver(app.hookUrl, {
      payload: pushPayload({ repo: slug, sha: second }),
      secret: SECRET,
    });
    expect(pushed.status).toBe(202);
    const ofRepo = (await jobs()).filter((j) => j.data.spec.startsWith(`${slug}/`));
    expect(ofRepo.map((j) => j.data.ref)).toEqual([second]);
    const [latest] = await app.prebuilds.pushLog.recent('gh', slug);
    expect(latest).toMatchObject({ sha: second, reason: `superseded ${viaApi.body.buildName}` });
  });

  it('builds nothing when the image exists: 200 exists', async () => {
    const slug = `${org}/cached`;
    const sha = randomSha();
    github.setRef(slug, 'v1', sha);
    await putTinyImage(imageName(app.config.BinderHub.image_prefix, `${org}-cached`, sha));
    const r = await post(app.url, { provider: 'gh', spec: `${slug}/v1` });
    expect(r).toMatchObject({ status: 200, body: { outcome: 'exists', sha } });
    expect((await jobs()).filter((j) => j.data.spec.startsWith(`${slug}/`))).toHaveLength(0);
  });

  it('counts requests in /metrics', async () => {
    const text = await (await fetch(`${app.url}metrics`)).text();
    expect(text).toMatch(/deliveries_total\{source="api",event="prebuild",outcome="accepted"\} 4/);
    expect(text).toMatch(/source="api",event="prebuild",outcome="unauthorized"\} 2/);
  });
});

describe('POST /api/prebuilds, turned off', () => {
  let app: WebhookApp;
  beforeAll(async () => {
    app = await startWebhookApp();
  });
  afterAll(async () => app?.close());

  it('answers 404 saying how to turn it on', async () => {
    const r = await post(app.url, { provider: 'gh', spec: 'a/b/main' });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/PrebuildApi\.token/);
  });
});
