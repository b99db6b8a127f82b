/**
 * BuildExecutor.idle_timeout and max_age in the docker backend: real repo2docker on the
 * stack's Docker engine, building repositories served on loopback. A build stopped at a
 * limit fails with the same words as in the Kubernetes backend (build-time-limits.ts),
 * and its process group is gone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../queue/config/index.js';
import { createLogger, type BuildEvent, type BuildJob } from '../../queue/index.js';
import { contentAccessFor } from '../../queue/repo-specs/content-access.js';
import { repoSpecFor } from '../../queue/repo-specs/repo-spec-for.js';
import type { BuildRequest } from '../../runners/build-backend.js';
import { BuildFailedError } from '../../runners/build-failed-error.js';
import { BuildRun } from '../../runners/docker/build-run.js';
import { DockerBuildBackend } from '../../runners/docker/docker-backend.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('docker backend time limits (BuildExecutor.idle_timeout / max_age)', () => {
  let workDir: string;
  const repos: ServedGitRepo[] = [];
  beforeAll(async () => {
    await requireStack();
    workDir = await mkdtemp(path.join(tmpdir(), 'bhts-limits-'));
  });
  afterAll(async () => {
    for (const r of repos) await r.close();
    await rm(workDir, { recursive: true, force: true });
  });

  const backend = (idleTimeout: number, maxAge: number) =>
    new DockerBuildBackend({
      repo2dockerPath: stackInfo().repo2dockerPath,
      dockerHost: stackInfo().dockerHost,
      workDir,
      idleTimeout,
      maxAge,
      log: createLogger({ level: 'silent' }),
    });

  /** A build of a repository whose Dockerfile runs `run` on the stack's base image. */
  const buildOf = async (run: string): Promise<BuildRequest> => {
    const repo = await serveGitRepo({
      Dockerfile: [
        `FROM ${stackInfo().baseImage}`,
        `RUN echo "run ${randomUUID()}"`,
        `RUN ${run}`,
        '',
      ].join('\n'),
    });
    repos.push(repo);
    const id = randomUUID().slice(0, 8);
    const job: BuildJob = {
      buildName: `build-limits-${id}-${repo.sha.slice(0, 8)}`,
      image: `${stackInfo().imagePrefix}limits-${id}:${repo.sha}`,
      provider: 'git',
      providerName: 'Git',
      spec: `${encodeURIComponent(repo.url)}/HEAD`,
      resolvedSpec: `${encodeURIComponent(repo.url)}/${repo.sha}`,
      repoUrl: repo.url,
      ref: repo.sha,
      trigger: 'launch',
      requestedAt: Date.now(),
    };
    const config = parseConfig({ GitRepoProvider: { allowed_private_hosts: ['127.0.0.1'] } });
    const content = await contentAccessFor(config, repoSpecFor(config, 'git', job.spec)!, job.ref);
    return { job, content, push: false, appendix: '', extraArgs: [] };
  };

  /** Runs the build to its end: the error it failed with, the events, how long it took. */
  const runToEnd = async (b: DockerBuildBackend, req: BuildRequest) => {
    const events: BuildEvent[] = [];
    const started = Date.now();
    const err = await b
      .run(req, async (e) => void events.push(e), new AbortController().signal)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    return { err, events, seconds: (Date.now() - started) / 1000 };
  };

  /** The run's process group is gone (repo2docker and its wrapper). */
  const expectStopped = async (req: BuildRequest) => {
    const [run] = await BuildRun.list(workDir, req.job.buildName);
    const pid = await run!.readPid();
    expect(pid).toBeGreaterThan(0);
    const deadline = Date.now() + 15_000;
    while (alive(pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid!)).toBe(false);
  };

  it('idle_timeout: a build that prints nothing fails, saying so, and is stopped', async () => {
    const req = await buildOf('sleep 120');
    const { err, events, seconds } = await runToEnd(backend(8, 0), req);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).reason).toBe('idle');
    expect((err as Error).message).toBe(
      'The build printed nothing for 8 seconds (BuildExecutor.idle_timeout), so it was stopped.',
    );
    expect(events.map((e) => e.message ?? '').join('')).toMatch(/RUN sleep 120/);
    expect(seconds).toBeLessThan(60);
    await expectStopped(req);
  }, 120_000);

  it('max_age: a build that keeps printing but runs too long fails, saying so, and is stopped', async () => {
    const req = await buildOf('for i in $(seq 1 120); do echo "tick $i"; sleep 1; done');
    const { err, events, seconds } = await runToEnd(backend(8, 15), req);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).reason).toBe('max_age');
    expect((err as Error).message).toBe(
      'The build ran for more than 15 seconds (BuildExecutor.max_age), so it was stopped.',
    );
    expect(events.map((e) => e.message ?? '').join('')).toMatch(/tick 3\b/);
    expect(seconds).toBeGreaterThanOrEqual(14);
    expect(seconds).toBeLessThan(60);
    await expectStopped(req);
  }, 120_000);
});
