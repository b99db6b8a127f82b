import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJobSchema, type BuildJob } from '../../queue/index.js';
import { parseConfig } from '../../queue/config/index.js';
import { buildIdentity } from '../../queue/repo-specs/build-identity.js';
import { repoSpecFor } from '../../queue/repo-specs/repo-spec-for.js';
import { JobRefusedError } from '../../runners/job-refused-error.js';
import { verifyJob } from '../../runners/verify-job.js';
import { startCredentialsRig, type CredentialsRig } from '../helpers/credentials-rig.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';

// A user's token over its life — expiry and refresh, a refresh the site refuses,
// disconnect with revocation — and a GitLab private project cloned through the runner's
// git path with the token the job carries sealed. Real Redis and git; GitHub and GitLab
// are STAND-INS on loopback (test/helpers/git-site-stand-in.ts): they cannot be reached
// from here. No runner: the builds are not run (user-credentials.stack.test.ts runs one).

const run = promisify(execFile);
let rig: CredentialsRig;
let alice: string;

/** `/build` (build only) until its first `waiting` event, or its end. */
async function requestBuild(cookie: string, path: string): Promise<ReceivedEvent[]> {
  const stop = new AbortController();
  const seen: ReceivedEvent[] = [];
  await readEventStream(new URL(`build/${path}?build_only=true`, rig.h.url).href, {
    headers: { cookie },
    signal: stop.signal,
    onEvent: (e) => {
      seen.push(e);
      if (e.phase === 'waiting') stop.abort();
    },
  }).catch((err: Error) => {
    if (!stop.signal.aborted) throw err;
  });
  return seen;
}

/** The first job of `provider` in the queue (the flow enqueues right after `waiting`). */
async function firstJobOf(provider: string): Promise<unknown> {
  const queue = rig.h.api.runtime.deps.buildQueue.bullmq;
  for (let i = 0; i < 50; i++) {
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'active', 'failed', 'completed']);
    const found = jobs.find((j) => j.data.provider === provider);
    if (found) return found.data;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${provider} job was enqueued`);
}

const connections = async (cookie: string) =>
  (
    (await (await rig.get('auth/connections', cookie)).json()) as {
      connections: Array<{ provider: string; connected: boolean }>;
    }
  ).connections;

beforeAll(async () => {
  rig = await startCredentialsRig({ runner: false });
  await rig.github.addRepo(
    'alice/open',
    { 'README.md': '# open\n' },
    { private: false, readers: [] },
  );
  await rig.github.addRepo(
    'alice/notes',
    { 'README.md': '# notes\n' },
    { private: true, readers: ['alice'] },
  );
  await rig.gitlab.addRepo(
    'group/private-proj',
    { 'README.md': '# private project\n' },
    { private: true, readers: ['alice'] },
  );
  alice = await rig.login('alice');
}, 60_000);
afterAll(() => rig?.close());

describe('token expiry, refresh and revocation (GitHub stand-in, GitHub App user tokens)', () => {
  it('refreshes a token about to expire before using it (the old one stops working)', async () => {
    rig.github.expiresIn = 120; // within UserCredentials.refresh_margin_seconds (300)
    expect((await rig.connect(alice, rig.github, 'alice')).status).toBe(302);
    const [first] = rig.github.liveTokens();
    const tokens = rig.h.api.runtime.deps.userCredentials!.tokens;
    const used = await tokens.tokenFor('alice', 'github');
    expect(used?.accessToken).toMatch(/^ghu_/);
    expect(used?.accessToken).not.toBe(first);
    expect(rig.github.liveTokens()).toEqual([used!.accessToken]);
    const refreshes = rig.github.requests.filter((r) => r.path === '/login/oauth/access_token');
    expect(refreshes).toHaveLength(2); // the code exchange, then the refresh
    // the launch resolves with the refreshed token
    const events = await requestBuild(alice, 'gh/alice/notes/HEAD');
    expect(events.map((e) => e.phase)).toContain('waiting');
  });

  it('removes a token whose refresh the site refuses and tells the user to reconnect', async () => {
    rig.github.revokeAll('alice'); // the user revoked the app at GitHub: refresh → bad_refresh_token
    const events = await requestBuild(alice, 'gh/alice/notes/HEAD');
    expect(events.at(-1)?.data).toMatchObject({ phase: 'failed', status_code: 403 });
    expect(events.at(-1)?.message).toMatch(
      /GitHub no longer accepts the connection of your account \(bad_refresh_token\): connect your GitHub account again/,
    );
    expect((await connections(alice))[0]).toMatchObject({ provider: 'github', connected: false });
    // marked private by the earlier check: without a connection the repository is refused
    const again = await requestBuild(alice, 'gh/alice/notes/HEAD');
    expect(again.at(-1)?.message).toMatch(/you have not connected a GitHub account/);
  });

  it('goes on without a refused connection for a public repository', async () => {
    rig.github.expiresIn = 120;
    await rig.connect(alice, rig.github, 'alice');
    rig.github.revokeAll('alice');
    const events = await requestBuild(alice, 'gh/alice/open/HEAD');
    expect(events.map((e) => e.phase)).toContain('waiting');
    expect((await connections(alice))[0]).toMatchObject({ provider: 'github', connected: false });
  });

  it('disconnects: refused cross-site, else revoked at the site and removed here', async () => {
    rig.github.expiresIn = 28800;
    await rig.connect(alice, rig.github, 'alice');
    expect(rig.github.liveTokens()).toHaveLength(1);
    const crossSite = await fetch(new URL('auth/connections/github/disconnect', rig.h.url), {
      method: 'POST',
      headers: { cookie: alice, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect((await connections(alice))[0]).toMatchObject({ connected: true });
    const res = await fetch(new URL('auth/connections/github/disconnect', rig.h.url), {
      method: 'POST',
      headers: { cookie: alice, origin: rig.h.url.replace(/\/$/, '') },
    });
    expect(await res.json()).toEqual({ provider: 'github', connected: false, revoked: true });
    expect(rig.github.liveTokens()).toEqual([]); // DELETE /applications/{client_id}/grant
    expect((await connections(alice))[0]).toMatchObject({ connected: false });
    const keys = await rig.h.api.runtime.deps.redis.keys(
      `${rig.h.config.Redis.key_prefix}:credentials:token:*`,
    );
    expect(keys).toEqual([]);
  });
});

describe('a GitLab private project through the runner’s git path (GitLab stand-in)', () => {
  let job: BuildJob;
  it('puts the user’s token in the job only sealed, and the runner clones with it', async () => {
    rig.gitlab.expiresIn = 7200;
    expect((await rig.connect(alice, rig.gitlab, 'alice')).status).toBe(302);
    const events = await requestBuild(alice, 'gl/group%2Fprivate-proj/HEAD');
    expect(events.map((e) => e.phase)).toContain('waiting');
    job = buildJobSchema.parse(await firstJobOf('gl'));
    const [token] = rig.gitlab.liveTokens();
    expect(job.userToken).toMatch(/^v1\./);
    expect(JSON.stringify(job)).not.toContain(token);

    const verified = await verifyJob(rig.h.config, job);
    const dir = await mkdtemp(join(tmpdir(), 'bhts-clone-'));
    try {
      const env = { PATH: process.env.PATH, HOME: dir, ...verified.content.env };
      await run('git', ['clone', '-q', verified.content.repo, join(dir, 'c')], { env });
      expect(await readFile(join(dir, 'c', 'README.md'), 'utf8')).toBe('# private project\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const gitAuth = rig.gitlab.requests.find((r) => r.path.endsWith('/info/refs') && r.auth);
    expect(Buffer.from(gitAuth!.auth!.slice(6), 'base64').toString()).toBe(`oauth2:${token}`);
  });

  it('refuses a forged job: the sealed token copied into another job, or a runner without the key', async () => {
    // a well-formed job of another project, carrying the token sealed for the first job
    const spec = repoSpecFor(rig.h.config, 'gl', `group%2Fother-proj/${job.ref}`)!;
    const identity = buildIdentity(spec, job.ref, rig.h.config.BinderHub.image_prefix);
    const other: BuildJob = { ...job, ...identity, spec: spec.spec };
    const refused = verifyJob(rig.h.config, other);
    await expect(refused).rejects.toBeInstanceOf(JobRefusedError);
    await expect(refused).rejects.toThrow(/user token does not open/);
    const noKey = parseConfig({
      ...rig.h.config,
      GitLabOAuth: {},
      GitHubOAuth: {},
      UserCredentials: {},
    });
    await expect(verifyJob(noKey, job)).rejects.toThrow(/UserCredentials.encryption_key/);
  });
});
