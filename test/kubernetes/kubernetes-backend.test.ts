import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BuildFailedError } from '../../runners/build-failed-error.js';
import {
  NS,
  buildRequest,
  r2d,
  recorder,
  startBuild,
  startKubeTestEnv,
  waitFor,
  type KubeTestEnv,
} from './kube-test-env.js';

const POD = (name: string) => new RegExp(`/pods/${name}$`);
const PODS = /\/namespaces\/binder-test\/pods$/;

describe('KubernetesBuildBackend against a stand-in API server', () => {
  let env: KubeTestEnv;
  beforeEach(async () => {
    env = await startKubeTestEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  it('runs a build pod to success: log lines become events in order, the pod is deleted', async () => {
    const { req, backend, name, rec, run } = startBuild(env);
    await waitFor('pod created', () => env.server.state.get(NS, name));
    expect(env.server.state.get(NS, name)!.spec.containers[0].args.at(-1)).toBe(req.job.repoUrl);
    env.server.setPhase(NS, name, 'Running');
    env.server.log(NS, name, r2d(undefined, 'Picked Git content provider.\n'));
    env.server.log(NS, name, r2d('fetching', 'Cloning...\n'), 'not json at all');
    env.server.log(NS, name, r2d('building', 'Step 1/3\n'), r2d('pushing', 'Pushing\n'));
    await waitFor('4 events', () => rec.events.length >= 5);
    env.server.setPhase(NS, name, 'Succeeded', {
      containerStatuses: [
        { name: 'builder', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
    });
    await run;
    expect(rec.events).toEqual([
      { message: 'Picked Git content provider.\n' },
      { phase: 'fetching', message: 'Cloning...\n' },
      { phase: 'unknown', message: 'not json at all\n' },
      { phase: 'building', message: 'Step 1/3\n' },
      { phase: 'pushing', message: 'Pushing\n' },
    ]);
    expect(env.server.state.get(NS, name)).toBeUndefined();
    expect(env.server.count('DELETE', POD(name))).toBe(1);
    expect(env.server.count('POST', PODS)).toBe(1);
    // the log was asked for once the pod ran, following, with timestamps, all of it
    const logReqs = env.server.requests.filter((r) => r.path.endsWith('/log'));
    expect(logReqs[0]!.query).toMatchObject({
      follow: 'true',
      timestamps: 'true',
      container: 'builder',
    });
    expect(logReqs[0]!.query.tailLines).toBeUndefined();
    expect(backend.activeBuilds()).toEqual([]);
  });

  it('fails with repo2docker’s own message when it reports a failure, and deletes the pod', async () => {
    const { name, rec, run } = startBuild(env);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    env.server.log(
      NS,
      name,
      r2d('building', 'Step 1/3\n'),
      r2d('failed', 'The command returned a non-zero code: 1\n'),
    );
    await waitFor('events', () => rec.events.length === 2);
    env.server.setPhase(NS, name, 'Failed', {
      containerStatuses: [
        { name: 'builder', state: { terminated: { exitCode: 1, reason: 'Error' } } },
      ],
    });
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).message).toBe(
      'Build failed: The command returned a non-zero code: 1',
    );
    expect((err as BuildFailedError).reason).toBe('error');
    expect(rec.events.at(-1)).toEqual({
      phase: 'failed',
      message: 'The command returned a non-zero code: 1\n',
    });
    expect(env.server.state.get(NS, name)).toBeUndefined();
  });

  it('explains a pod failure repo2docker could not report (OOM kill, eviction)', async () => {
    const { name, run } = startBuild(env);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    env.server.setPhase(NS, name, 'Failed', {
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
      containerStatuses: [
        { name: 'builder', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } },
      ],
    });
    await expect(run).rejects.toThrow(
      `Build pod ${name} failed: Evicted: The node was low on resource: memory.: repo2docker exited with OOMKilled, exit code 137`,
    );
  });

  it('two runs of one build in one runner share one pod, one watch and one log stream', async () => {
    const backend = env.backend();
    const req = buildRequest();
    const name = req.job.buildName;
    const a = recorder();
    const b = recorder();
    const runA = backend.run(req, a.emit, new AbortController().signal);
    const runB = backend.run({ ...req, job: { ...req.job } }, b.emit, new AbortController().signal);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    env.server.log(NS, name, r2d('building', 'one\n'), r2d('building', 'two\n'));
    await waitFor('both saw lines', () => a.events.length === 2 && b.events.length === 2);
    // one log stream and one watch for both runs
    expect(env.server.requests.filter((r) => r.path.endsWith('/log'))).toHaveLength(1);
    expect(env.server.count('GET', PODS, { watch: 'true' })).toBe(1);
    env.server.setPhase(NS, name, 'Succeeded');
    await Promise.all([runA, runB]);
    expect(a.events).toEqual(b.events);
    expect(a.events.map((e) => e.message)).toEqual(['one\n', 'two\n']);
    expect(env.server.count('POST', PODS)).toBe(1);
  });

  it('two runners building the same image: the second gets 409 and attaches to the first one’s pod', async () => {
    const first = env.backend();
    const second = env.backend({ logTailLines: 2 });
    const req = buildRequest();
    const name = req.job.buildName;
    const a = recorder();
    const b = recorder();
    const runA = first.run(req, a.emit, new AbortController().signal);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    env.server.log(
      NS,
      name,
      r2d('fetching', 'l1\n'),
      r2d('building', 'l2\n'),
      r2d('building', 'l3\n'),
    );
    await waitFor('first saw 3', () => a.events.length === 3);
    const runB = second.run(req, b.emit, new AbortController().signal);
    await waitFor('second saw the tail', () => b.events.length === 2);
    env.server.log(NS, name, r2d('pushing', 'l4\n'));
    await waitFor('both saw l4', () => a.events.length === 4 && b.events.length === 3);
    env.server.setPhase(NS, name, 'Succeeded');
    await Promise.all([runA, runB]);
    expect(b.events.map((e) => e.message)).toEqual(['l2\n', 'l3\n', 'l4\n']);
    expect(env.server.count('POST', PODS)).toBe(2); // 201 then 409
    const secondLog = env.server.requests.filter((r) => r.path.endsWith('/log'))[1]!;
    expect(secondLog.query.tailLines).toBe('2');
  });
});
