import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followLikeBrowser, ticksOf, type FollowedBuild } from '../helpers/browser-like-client.js';
import { startOwnDockerEngine, type OwnDockerEngine } from '../helpers/own-docker-engine.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { startFaultEnv, type FaultEnv } from './fault-env.js';
import { reportRecovery } from './report-recovery.js';

// The Docker engine restarted in the middle of a build, and a build's container killed:
// the client is told what happened and that a reload retries, never a traceback or a
// bare exit code; a reload builds. A second dockerd of the test's own is restarted.

const TICKS = 8;

describe('Docker engine faults in the middle of a build', () => {
  let engine: OwnDockerEngine;
  let env: FaultEnv;
  let repo: ServedGitRepo;
  beforeAll(async () => {
    await requireStack();
    engine = await startOwnDockerEngine();
    env = await startFaultEnv({
      config: {
        BinderHub: { use_registry: false },
        DockerBuildExecutor: { docker_host: engine.host },
      },
    });
    repo = await serveGitRepo({
      Dockerfile: [
        `FROM ${engine.tinyImage}`,
        `RUN echo "run ${randomUUID()}"; i=0; while [ $i -lt ${TICKS} ]; do i=$((i+1)); echo "tick $i"; sleep 1; done`,
        '',
      ].join('\n'),
    });
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await engine?.close();
    await repo?.close();
  });

  const runningContainers = async () =>
    (JSON.parse((await engine.api('/containers/json')).body) as unknown[]).length;

  const build = (onTick: (n: number) => void) =>
    followLikeBrowser(`${env.url}build/git/${encodeURIComponent(repo.url)}/HEAD?build_only=true`, {
      onEvent: (e) => ticksOf([e]).forEach(onTick),
    });

  const expectClearFailure = (b: FollowedBuild, what: RegExp) => {
    // One `failed` event, the last: repo2docker's own failure line is only a log line.
    expect(b.events.filter((e) => e.phase === 'failed')).toEqual([b.terminal]);
    expect(b.terminal?.phase).toBe('failed');
    expect(b.terminal?.message).toMatch(what);
    expect(b.terminal?.message).toMatch(/Reload the page to try again/);
    expect(b.terminal?.message).not.toMatch(/Traceback|File "|exc_info|returned a non-zero code/);
    expect(Object.keys(b.terminal!.data)).not.toContain('exc_info');
  };

  it('an engine restart, then a killed container, each said plainly; a reload builds', async () => {
    // 1. The engine restarts at tick 3.
    let restarted: Promise<number> | undefined;
    let downAt = 0;
    const first = await build((n) => {
      if (n !== 3 || restarted) return;
      downAt = Date.now();
      restarted = engine.restart(1000);
    });
    await restarted;
    expectClearFailure(first, /^The Docker engine restarted during the build, which stopped it\./);
    reportRecovery(
      'Docker engine killed and restarted mid-build: client told, after it went down',
      first.terminalAt! - downAt,
    );

    // 2. The reload's build container is killed at tick 3 (the engine itself stays up).
    let killed: Promise<unknown> | undefined;
    const second = await build((n) => {
      if (n !== 3 || killed) return;
      killed = engine.api('/containers/json').then(async ({ body }) => {
        for (const c of JSON.parse(body) as Array<{ Id: string }>)
          await engine.api(`/containers/${c.Id}/kill`, 'POST');
      });
    });
    await killed;
    expectClearFailure(second, /^The build was killed \(exit code 137\)/);

    // 3. Another reload builds the image.
    const third = await build(() => undefined);
    expect(third.terminal?.phase, JSON.stringify(third.terminal?.data)).toBe('ready');
    expect(ticksOf(third.events)).toEqual(Array.from({ length: TICKS }, (_, i) => i + 1));
    expect(env.repo2dockerRuns()).toBe(3);
    expect(await runningContainers()).toBe(0);
  }, 180_000);
});
