import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// Git credentials go to the provider's host only. A private repository sits behind a
// loopback proxy that demands Basic credentials (and records what it got); `stranger` is
// an allowed host that answers 401 to everything and records Authorization headers: it
// must never receive any. Real api, real runner (repo2docker on the Docker engine).

const DOCKERFILE = 'FROM binderhub-ts/jupyter-base:1\n';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const CONFIGURED = { user: 'bot', password: 'configured-s3cret' };
const IN_URL = { user: 'url-user', password: 'url-s3cret' };
const basic = (c: { user: string; password: string }) =>
  `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;

function last(events: ReceivedEvent[]): ReceivedEvent {
  return events[events.length - 1]!;
}

describe('git credentials are scoped to the provider’s host', () => {
  let h: Harness;
  let privateRepo: ServedGitRepo;
  let authProxy: FaultProxy;
  const authSeen: string[] = [];
  let stranger: RecordingServer;

  const build = (url: string, ref = 'HEAD') =>
    readEventStream(`${h.url}build/git/${encodeURIComponent(url)}/${ref}?build_only=true`, {
      signal: AbortSignal.timeout(300_000),
    });

  beforeAll(async () => {
    await requireStack();
    privateRepo = await serveGitRepo({ Dockerfile: DOCKERFILE, 'README.md': 'private\n' });
    authProxy = await startFaultProxy(new URL(privateRepo.url).origin, (req, res) => {
      const auth = req.headers.authorization ?? '';
      authSeen.push(auth);
      if (auth === basic(CONFIGURED) || auth === basic(IN_URL)) return false;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' });
      res.end();
      return true;
    });
    stranger = await startRecordingServer();
    const proxyHost = new URL(authProxy.url).host;
    h = await startHarness({
      config: {
        GitRepoProvider: {
          allowed_private_hosts: [proxyHost, `127.0.0.1:${stranger.port}`],
          git_credentials: `username=${CONFIGURED.user}\\npassword=${CONFIGURED.password}`,
          git_credentials_hosts: [proxyHost],
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await authProxy?.close();
    await privateRepo?.close();
    await stranger?.close();
  });

  it('gives the configured credentials to their host: the private repository builds', async () => {
    const { events } = await build(`${authProxy.url}/repo.git`);
    expect(last(events).phase, JSON.stringify(last(events).data)).toBe('ready');
    expect(authSeen).toContain(basic(CONFIGURED));
  });

  it('offers them to no other host, even one that asks (401)', async () => {
    const { events } = await build(`${stranger.origin}/repo.git`, SHA);
    expect(last(events).phase).toBe('failed');
    expect(h.buildRuns).toBeGreaterThan(0);
    expect(stranger.requests.length).toBeGreaterThan(0);
    expect(stranger.requests.filter((r) => r.authorization)).toEqual([]);
  });

  it('takes credentials in the URL to that host only, and never shows them', async () => {
    const proxy = new URL(authProxy.url);
    const url = `http://${IN_URL.user}:${IN_URL.password}@${proxy.host}/repo.git`;
    const { events } = await build(url);
    const ready = last(events);
    expect(ready.phase, JSON.stringify(ready.data)).toBe('ready');
    expect(authSeen).toContain(basic(IN_URL));
    expect(JSON.stringify(events)).not.toContain(IN_URL.password);
    expect(String(ready.data.imageName)).not.toContain('s3cret');
    const jobs = await h.api.runtime.deps.buildQueue.bullmq.getJobs();
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      expect(job.name).not.toContain('s3cret');
      expect(job.data.repoUrl).not.toContain('s3cret');
      expect(job.data.image).not.toContain('s3cret');
    }
  });
});
