import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, randomSha } from './github-deliveries.js';
import { startWebhookApp, total, type WebhookApp } from './webhook-app.js';

const TOKEN = `gl-${randomUUID()}`;

/** A GitLab push payload (gitlab-push.json, from GitLab's documented format). */
function gitLabPush(o: {
  project: string;
  sha: string;
  ref?: string;
  kind?: string;
  host?: string;
}) {
  const base = fixture('gitlab-push');
  const web = `https://${o.host ?? 'gitlab.com'}/${o.project}`;
  return {
    ...base,
    object_kind: o.kind ?? 'push',
    ref: o.ref ?? 'refs/heads/main',
    after: o.sha,
    checkout_sha: o.sha,
    project: {
      ...(base.project as Record<string, unknown>),
      path_with_namespace: o.project,
      web_url: web,
      git_http_url: `${web}.git`,
    },
  };
}

async function post(url: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': TOKEN,
      'idempotency-key': randomUUID(),
      ...headers,
    },
    body: JSON.stringify(payload),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('GitLab webhook', () => {
  let app: WebhookApp;
  let hook: string;
  const group = `grp-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    app = await startWebhookApp({
      config: { GitLabWebhook: { secret_token: TOKEN, tag_patterns: ['v*'] } },
    });
    hook = `${app.url}hooks/gitlab`;
  });
  afterAll(async () => app?.close());

  const pending = async () => {
    await app.prebuilds.scheduler.idle();
    return app.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting', 'delayed']);
  };

  it('refuses a missing or wrong X-Gitlab-Token with 401 and enqueues nothing', async () => {
    const payload = gitLabPush({ project: `${group}/p`, sha: randomSha() });
    expect((await post(hook, payload, { 'x-gitlab-token': '' })).status).toBe(401);
    const wrong = await post(hook, payload, { 'x-gitlab-token': `${TOKEN}x` });
    expect(wrong).toMatchObject({ status: 401, body: { status: 401 } });
    expect(total(await app.jobCounts())).toBe(0);
  });

  it('builds a push to the default branch as a gl build; a retry changes nothing', async () => {
    const project = `${group}/sub/notebooks`;
    const sha = randomSha();
    const key = randomUUID();
    const first = await post(hook, gitLabPush({ project, sha }), { 'idempotency-key': key });
    expect(first).toMatchObject({ status: 202, body: { outcome: 'accepted', sha } });
    const retry = await post(hook, gitLabPush({ project, sha }), { 'idempotency-key': key });
    expect(retry.body.outcome).toBe('duplicate');
    const jobs = (await pending()).filter((j) => j.data.provider === 'gl');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toMatchObject({
      trigger: 'push',
      spec: `${encodeURIComponent(project)}/${sha}`,
      repoUrl: `https://gitlab.com/${project}.git`,
      ref: sha,
    });
    const res = await fetch(
      `${app.url}api/builds?repo=${encodeURIComponent(`https://gitlab.com/${project}`)}`,
    );
    const listed = (await res.json()) as { builds: Array<{ sha: string }> };
    expect(listed.builds.map((b) => b.sha)).toEqual([sha]);
  });

  it('builds matching tag pushes; ignores other hooks and other hosts', async () => {
    const project = `${group}/tags`;
    const tag = await post(
      hook,
      gitLabPush({ project, sha: randomSha(), kind: 'tag_push', ref: 'refs/tags/v1' }),
      {
        'x-gitlab-event': 'Tag Push Hook',
      },
    );
    expect(tag.body.outcome).toBe('accepted');
    const note = await post(
      hook,
      { object_kind: 'note', project: {} },
      { 'x-gitlab-event': 'Note Hook' },
    );
    expect(note).toMatchObject({ status: 202, body: { outcome: 'ignored' } });
    const elsewhere = await post(
      hook,
      gitLabPush({ project, sha: randomSha(), host: 'gitlab.example.org' }),
    );
    expect(elsewhere.body.outcome).toBe('ignored');
    expect(String(elsewhere.body.reason)).toMatch(/GitLabRepoProvider\.hostname/);
    expect(
      (await pending()).filter((j) => j.data.spec.startsWith(encodeURIComponent(project))),
    ).toHaveLength(1);
  });
});
