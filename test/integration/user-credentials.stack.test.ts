import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJobSchema } from '../../queue/index.js';
import {
  cookiePair,
  startCredentialsRig,
  type CredentialsRig,
} from '../helpers/credentials-rig.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import type { StandInRepo } from '../helpers/git-site-stand-in.js';

// Private repositories built with each hub user's own GitHub token (issue 17.2): real
// Redis, the real docker backend (repo2docker, git clone over smart HTTP), real registry —
// and a GitHub STAND-IN on loopback (test/helpers/git-site-stand-in.ts) in GitHub's
// documented formats, since GitHub cannot be reached from here. Not an end-to-end test
// against GitHub.

const DOCKERFILE = 'FROM binderhub-ts/jupyter-base:1\nRUN echo "private build"\n';
let rig: CredentialsRig;
const logs: string[] = [];
let secret: StandInRepo;
let alice: string;
let bob: string;
let carol: string;

const build = (cookie: string, spec: string, onEvent?: (e: ReceivedEvent) => void) =>
  readEventStream(new URL(`build/gh/${spec}?build_only=true`, rig.h.url).href, {
    headers: { cookie },
    onEvent,
  });
const last = (events: ReceivedEvent[]) => events[events.length - 1]!.data;

beforeAll(async () => {
  rig = await startCredentialsRig({ logs });
  secret = await rig.github.addRepo(
    'alice/secret',
    { Dockerfile: DOCKERFILE },
    { private: true, readers: ['alice'] },
  );
  alice = await rig.login('alice');
  bob = await rig.login('bob');
  carol = await rig.login('carol');
}, 60_000);
afterAll(() => rig?.close());

describe('connecting a GitHub account (stand-in)', () => {
  it('refuses a callback whose state is not the one the connect started with (400)', async () => {
    const start = await rig.get('auth/connect/github', alice);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.href.startsWith(`${rig.github.url}login/oauth/authorize`)).toBe(true);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    back.searchParams.set('state', 'forged-state');
    const state = cookiePair(start, 'binderhub-session-connect');
    const res = await rig.get(back.pathname + back.search, `${alice}; ${state}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/state/);
    // another hub user cannot finish alice's connect, nor can anyone without its cookie
    const start2 = await rig.get('auth/connect/github', alice);
    const back2 = (
      await fetch(start2.headers.get('location')!, { redirect: 'manual' })
    ).headers.get('location')!;
    const state2 = cookiePair(start2, 'binderhub-session-connect');
    expect((await rig.get(back2, `${bob}; ${state2}`)).status).toBe(400);
    expect(
      (await rig.get('auth/connections', alice).then((r) => r.json())) as unknown,
    ).toMatchObject({
      connections: [
        { provider: 'github', connected: false },
        { provider: 'gitlab', connected: false },
      ],
    });
  });

  it('connects with the authorization code and shows the connection, never the token', async () => {
    const res = await rig.connect(alice, rig.github, 'alice');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/auth/connections');
    const body = (await (await rig.get('auth/connections', alice)).text()) as string;
    expect(JSON.parse(body)).toMatchObject({
      user: 'alice',
      connections: [
        { provider: 'github', connected: true, login: 'alice' },
        { provider: 'gitlab', connected: false },
      ],
    });
    for (const t of rig.github.liveTokens()) expect(body).not.toContain(t);
    const page = await rig.get('auth/connections', alice, { accept: 'text/html' });
    expect(await page.text()).toMatch(/connected as <strong>alice<\/strong>/);
    expect((await rig.connect(bob, rig.github, 'bob')).status).toBe(302);
  });
});

describe('a private repository built with the user’s own token (stand-in GitHub)', () => {
  let image = '';
  it('builds for alice (real clone and docker build); bob cannot attach to the running build', async () => {
    let bobTried: Promise<ReceivedEvent[]> | undefined;
    const result = await build(alice, 'alice/secret/HEAD', (e) => {
      if (!bobTried && (e.phase === 'fetching' || e.phase === 'building'))
        bobTried = build(bob, 'alice/secret/HEAD').then((r) => r.events);
    });
    const end = last(result.events);
    expect(end, JSON.stringify(result.events.slice(-5))).toMatchObject({ phase: 'ready' });
    image = String(end.imageName);
    expect(rig.h.buildRuns).toBe(1);
    expect(image).toContain(secret.sha);
    const bobEvents = await bobTried!;
    expect(bobEvents).toHaveLength(1);
    expect(last(bobEvents)).toMatchObject({ phase: 'failed', status_code: 403 });
    expect(String(last(bobEvents).message)).toMatch(
      /alice\/secret is a private GitHub repository and the GitHub account you connected cannot read it/,
    );
    // git was asked with alice's token as GitHub documents it (x-access-token basic auth)
    const gitAuth = rig.github.requests.filter((r) => r.path.endsWith('/info/refs') && r.auth);
    expect(gitAuth.length).toBeGreaterThan(0);
    expect(Buffer.from(gitAuth[0]!.auth!.slice(6), 'base64').toString()).toMatch(
      /^x-access-token:ghu_/,
    );
  }, 600_000);

  it('refuses the built image to users who cannot read the repository, and names the fix', async () => {
    const bobs = await build(bob, 'alice/secret/HEAD');
    expect(last(bobs.events)).toMatchObject({ phase: 'failed', status_code: 403 });
    const carols = await build(carol, `alice/secret/${secret.sha}`);
    expect(last(carols.events)).toMatchObject({ phase: 'failed', status_code: 403 });
    expect(String(last(carols.events).message)).toMatch(
      /you have not connected a GitHub account\. Connect a GitHub account that can read it \(\/auth\/connections\)/,
    );
    const again = await build(alice, 'alice/secret/HEAD');
    expect(last(again.events)).toMatchObject({ phase: 'ready', imageName: image });
    expect(String(last(again.events).message)).toMatch(/Found built image/);
  }, 60_000);

  it('never keeps the token in clear: job data, every Redis value, the logs', async () => {
    const { deps } = rig.h.api.runtime;
    const jobs = await deps.buildQueue.bullmq.getJobs(['completed', 'failed', 'active', 'waiting']);
    const job = jobs.find((j) => j.data.repoUrl === `${rig.github.url}alice/secret`);
    expect(job).toBeDefined();
    const data = buildJobSchema.parse(job!.data);
    expect(data.userToken).toMatch(/^v1\./);
    const tokens = rig.github.liveTokens();
    expect(tokens.length).toBeGreaterThan(0);
    const dump = await redisDump(rig);
    expect(dump.length).toBeGreaterThan(1000);
    for (const t of tokens) expect(dump).not.toContain(t);
    expect(dump).not.toContain('ghr_'); // refresh tokens
    const logged = logs.join('');
    expect(logged).toMatch(/account connected/);
    expect(logged).toMatch(/build requested/);
    for (const t of tokens) expect(logged).not.toContain(t);
    expect(logged).not.toMatch(/gh[ur]_[0-9a-f]{20}/);
  });
});

describe('the build log of a private repository', () => {
  it('is served to users who can read the repository, and to nobody else', async () => {
    const jobs = await rig.h.api.runtime.deps.buildQueue.bullmq.getJobs(['completed']);
    const name = jobs.find((j) => j.data.repoUrl.endsWith('alice/secret'))!.data.buildName;
    const json = { accept: 'application/json' };
    const own = await rig.get(`api/builds/${name}/log`, alice, json);
    expect(own.status).toBe(200);
    expect(JSON.stringify(await own.json())).toMatch(/private build/);
    expect((await rig.get(`api/builds/${name}/log`, bob, json)).status).toBe(404);
    expect((await rig.get(`api/builds/${name}/log`, carol, json)).status).toBe(404);
    // (the `/logs/<name>` page asks the same logHidden; this api runs in API-only mode)
    const listed = await (await rig.get('api/builds', alice, json)).text();
    expect(listed).not.toContain(name);
  });
});

/** Every key of this test's api (its prefix and its queue) with its value, as text. */
async function redisDump(r: CredentialsRig): Promise<string> {
  const redis = r.h.api.runtime.deps.redis;
  const out: string[] = [];
  for (const pattern of [
    `${r.h.config.Redis.key_prefix}:*`,
    `bull:${r.h.config.BuildQueue.name}:*`,
  ]) {
    for await (const keys of redis.scanStream({ match: pattern, count: 200 }) as AsyncIterable<
      string[]
    >) {
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'list'
                ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === 'zset'
                  ? JSON.stringify(await redis.zrange(key, 0, -1))
                  : type === 'set'
                    ? JSON.stringify(await redis.smembers(key))
                    : type === 'stream'
                      ? JSON.stringify(await redis.xrange(key, '-', '+'))
                      : '';
        out.push(`${key} ${value}`);
      }
    }
  }
  return out.join('\n');
}
