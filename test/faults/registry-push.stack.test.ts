import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followLikeBrowser } from '../helpers/browser-like-client.js';
import { startOwnRegistry, type OwnRegistry } from '../helpers/own-registry.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { reportRecovery } from './report-recovery.js';

// The registry stops while a built image is pushed (the test's own docker-registry,
// killed and started again on the same port and storage, behind a proxy that counts
// manifest uploads). The push is retried with backoff; when every attempt fails, a
// reload pushes the image kept in the engine without building it again.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the registry stopped during the push', () => {
  let registry: OwnRegistry;
  let env: FaultEnv;
  let repo: ServedGitRepo;
  /** Set by a test: what to do when the engine starts a push (its `GET /v2/`). */
  let onPushStart: (() => void) | undefined;

  beforeAll(async () => {
    await requireStack();
    registry = await startOwnRegistry();
    env = await startFaultEnv({
      registryUrl: registry.url,
      // The engine starts each push with `GET /v2/`; the api never sends it.
      registryFault: (req) => {
        if (req.method === 'GET' && req.url === '/v2/') onPushStart?.();
        return false;
      },
      config: { DockerBuildExecutor: { push_attempts: 3, push_retry_delay: 1 } },
    });
    repo = await serveGitRepo({
      Dockerfile: `FROM ${env.tinyImage}\nRUN echo "${randomUUID()}"\n`,
    });
  });
  afterAll(async () => {
    await env?.close();
    await registry?.close();
    await repo?.close();
  });

  it('fails clearly after the attempts; a reload pushes without building; a short stop is ridden out', async () => {
    const url = `${env.url}build/git/${encodeURIComponent(repo.url)}/HEAD?build_only=true`;
    // 1. Down longer than three attempts (1 s, then 2 s apart): the build fails, saying why.
    let outage: Promise<void> | undefined;
    onPushStart = () => {
      onPushStart = undefined;
      outage = registry.stop();
    };
    const first = await followLikeBrowser(url);
    await outage;
    expect(first.terminal?.phase).toBe('failed');
    expect(first.terminal?.message).toMatch(
      /The image was built, but pushing it to the registry 127\.0\.0\.1:\d+ failed 3 times \(the registry was unavailable: .+\)\. Reload the page to try again/,
    );
    expect(first.terminal?.message).not.toMatch(/Traceback|exc_info/);
    expect(env.pushes()).toBe(0);

    // 2. The registry is back, and stops again for 2 s as the reload's push starts.
    await registry.start();
    let backAt = 0;
    onPushStart = () => {
      onPushStart = undefined;
      outage = registry.stop().then(async () => {
        await sleep(2000);
        await registry.start();
        backAt = Date.now();
      });
    };
    const reload = await followLikeBrowser(url);
    await outage;
    expect(reload.terminal?.phase, JSON.stringify(reload.terminal?.data)).toBe('ready');
    const messages = reload.events.map((e) => e.message ?? '');
    expect(messages.some((m) => /^Found image .+, built earlier/.test(m))).toBe(true);
    expect(messages.some((m) => /^Pushing failed \(.+\); trying again in \d+ s/.test(m))).toBe(
      true,
    );
    reportRecovery(
      'registry stopped 2 s during a push: image pushed after it was back',
      reload.terminalAt! - backAt,
    );
    // One repo2docker run in all, and one push that reached the registry.
    expect(env.repo2dockerRuns()).toBe(1);
    expect(env.pushes()).toBe(1);
    const tags = await fetch(`${registry.url}/v2/_catalog`).then((r) => r.json());
    expect(JSON.stringify(tags)).toMatch(/binder-f/);
  }, 180_000);
});
