import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../api/launch/hub-client.js';
import { JupyterHubLauncher } from '../../api/launch/jupyterhub-launcher.js';
import { LaunchError, type LaunchRequest } from '../../api/launch/launcher.js';
import { UserCleanup } from '../../api/launch/user-cleanup.js';
import { createLogger } from '../../queue/index.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy.js';
import { requireStack, stackInfo } from '../helpers/stack.js';

// The launcher against the real JupyterHub, through a proxy that injects the faults a
// hub shows in production: 5xx answers, no answer at all, a spawn that never finishes.
const s = stackInfo();
const log = createLogger({ level: 'silent' });

function launcher(hubBase: string, o: { retries?: number; timeoutMs?: number } = {}) {
  const hub = new HubClient({
    apiUrl: `${hubBase}/hub/api/`,
    token: s.hubApiToken,
    attempts: 4,
    retryDelayMs: 100,
  });
  return new JupyterHubLauncher({
    hub,
    hubUrl: s.hubUrl,
    retries: o.retries ?? 2,
    retryDelayMs: 100,
    launchTimeoutMs: o.timeoutMs ?? 120_000,
    log,
    cleanup: new UserCleanup({ hub, log, giveUpAfterMs: o.timeoutMs ?? 120_000 }),
  });
}

const request: LaunchRequest = {
  image: s.baseImageInRegistry,
  repoUrl: 'http://127.0.0.1/launcher-faults.git',
  refUrl: 'http://127.0.0.1/launcher-faults.git',
  launchHost: 'http://127.0.0.1:8585/',
  binderRequest: 'v2/git/x/HEAD',
  binderPersistentRequest: 'v2/git/x/0123',
  clientIp: '127.0.0.1',
};

async function hubUsers(): Promise<string[]> {
  const res = await fetch(`${s.hubApiUrl}users`, {
    headers: { authorization: `token ${s.hubApiToken}` },
  });
  return ((await res.json()) as Array<{ name: string }>).map((u) => u.name);
}

async function removeUser(url: string): Promise<void> {
  const user = /\/user\/([^/]+)\//.exec(url)?.[1];
  const headers = { authorization: `token ${s.hubApiToken}` };
  await fetch(`${s.hubApiUrl}users/${user}/server`, { method: 'DELETE', headers });
  await fetch(`${s.hubApiUrl}users/${user}`, { method: 'DELETE', headers });
}

describe('launcher against a faulty JupyterHub', () => {
  const proxies: FaultProxy[] = [];
  const proxy = async (fault: Fault) => {
    const p = await startFaultProxy(s.hubUrl, fault);
    proxies.push(p);
    return p;
  };
  beforeAll(async () => {
    await requireStack();
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
  });

  it('retries hub API calls that answer 5xx, then launches', async () => {
    let failures = 2;
    const p = await proxy((req, res) => {
      if (
        req.method === 'POST' &&
        /\/hub\/api\/users\/[^/]+$/.test(req.url ?? '') &&
        failures-- > 0
      ) {
        res.writeHead(503).end('hub is busy');
        return true;
      }
      return false;
    });
    const messages: string[] = [];
    const result = await launcher(p.url).launch(
      request,
      (m) => messages.push(m),
      AbortSignal.timeout(120_000),
    );
    try {
      expect(p.seen.filter((r) => /^POST \/hub\/api\/users\/[^/]+$/.test(r))).toHaveLength(3);
      expect(messages.length).toBeGreaterThan(0);
      const page = await fetch(`${result.url}api/status?token=${result.token}`);
      expect(page.status).toBe(200);
    } finally {
      await removeUser(result.url);
    }
  }, 180_000);

  it('fails with a clear message when the hub does not answer at all', async () => {
    const started = Date.now();
    await expect(
      launcher('http://127.0.0.1:9').launch(request, () => {}, AbortSignal.timeout(60_000)),
    ).rejects.toThrowError(new LaunchError(`Failed to create temporary user for ${request.image}`));
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('gives up on a spawn that never becomes ready, and removes the temporary user', async () => {
    const p = await proxy((req) => /\/server\/progress$/.test(req.url ?? '')); // held, never answered
    const attempts: string[] = [];
    const error = await launcher(p.url, { retries: 1, timeoutMs: 3000 })
      .launch(request, (m) => attempts.push(m), AbortSignal.timeout(60_000))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LaunchError);
    expect((error as Error).message).toMatch(/took too long to launch/);
    const created = p.seen
      .find((r) => /^POST \/hub\/api\/users\/[^/]+$/.test(r))!
      .split('/')
      .pop()!;
    for (let i = 0; i < 50 && (await hubUsers()).includes(created); i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(await hubUsers()).not.toContain(created);
  }, 60_000);
});
