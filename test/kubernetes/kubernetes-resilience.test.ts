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

const PODS = /\/namespaces\/binder-test\/pods$/;
const watches = (env: KubeTestEnv) =>
  env.server.requests.filter((r) => PODS.test(r.path) && r.query.watch === 'true');
const lists = (env: KubeTestEnv) =>
  env.server.requests.filter((r) => r.method === 'GET' && PODS.test(r.path) && !r.query.watch);

describe('Kubernetes backend: watches, log streams and runners that come and go', () => {
  let env: KubeTestEnv;
  beforeEach(async () => {
    env = await startKubeTestEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  it('resumes a dropped watch from the last resourceVersion and sees what happened meanwhile', async () => {
    const { name, rec, run } = startBuild(env);
    await waitFor('watching', () => env.server.openWatches() === 1);
    env.server.setPhase(NS, name, 'Running');
    env.server.log(NS, name, r2d('building', 'before the drop\n'));
    await waitFor('line', () => rec.events.length === 1);
    const lastSeen = env.server.state.get(NS, name)!.metadata.resourceVersion as string;
    expect(env.server.dropWatches()).toBe(1);
    env.server.setPhase(NS, name, 'Succeeded');
    await run;
    const resumed = watches(env).at(-1)!;
    expect(resumed.query.resourceVersion).toBe(lastSeen);
    expect(lists(env)).toHaveLength(1); // resumed, not re-listed
    expect(env.server.state.get(NS, name)).toBeUndefined();
  });

  it('lists again when the watch history expired (410 Gone) while it was away', async () => {
    const { name, run } = startBuild(env);
    await waitFor('watching', () => env.server.openWatches() === 1);
    env.server.setPhase(NS, name, 'Running');
    env.server.dropWatches();
    env.server.setPhase(NS, name, 'Succeeded');
    env.server.compactHistory();
    await run;
    expect(lists(env).length).toBeGreaterThanOrEqual(2);
    expect(env.logLines.join('')).toContain('watch history expired (410)');
  });

  it('restarts a watch the server ends after timeoutSeconds', async () => {
    const backend = env.backend({ watchTimeoutSeconds: 1 });
    const req = buildRequest();
    const name = req.job.buildName;
    const run = backend.run(req, recorder().emit, new AbortController().signal);
    await waitFor('two watches', () => watches(env).length >= 2, 4000);
    expect(watches(env)[0]!.query.timeoutSeconds).toBe('1');
    env.server.setPhase(NS, name, 'Failed');
    await expect(run).rejects.toThrow(`Build pod ${name} failed`);
  });

  it('reopens a log stream that closes early, without repeating lines', async () => {
    const { name, rec, run } = startBuild(env);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    env.server.log(NS, name, r2d('building', 'a\n'), r2d('building', 'b\n'));
    await waitFor('2 lines', () => rec.events.length === 2);
    expect(env.server.dropLogStreams()).toBe(1);
    env.server.log(NS, name, r2d('building', 'c\n'));
    await waitFor('c', () => rec.events.length === 3);
    env.server.setPhase(NS, name, 'Succeeded');
    await run;
    expect(rec.events.map((e) => e.message)).toEqual(['a\n', 'b\n', 'c\n']);
    const logReqs = env.server.requests.filter((r) => r.path.endsWith('/log'));
    expect(logReqs[1]!.query.sinceTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('a runner that stops leaves the pod; a new runner re-attaches (409) and finishes the build', async () => {
    const req = buildRequest();
    const name = req.job.buildName;
    const old = env.backend({ logTailLines: 2 });
    const stop = new AbortController();
    const oldRec = recorder();
    const oldRun = old.run(req, oldRec.emit, stop.signal);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    env.server.log(
      NS,
      name,
      r2d('fetching', '1\n'),
      r2d('building', '2\n'),
      r2d('building', '3\n'),
    );
    await waitFor('3 lines', () => oldRec.events.length === 3);
    stop.abort(); // the runner shuts down (or dies: BullMQ re-picks the stalled job)
    const err = await oldRun.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).reason).toBe('cancelled');
    await waitFor('old watch closed', () => env.server.openWatches() === 0);
    expect(env.server.state.get(NS, name)?.status.phase).toBe('Running');

    const restarted = env.backend({ logTailLines: 2 });
    const rec = recorder();
    const run = restarted.run(req, rec.emit, new AbortController().signal);
    await waitFor('tail replayed', () => rec.events.length === 2);
    env.server.log(NS, name, r2d('pushing', '4\n'));
    await waitFor('4', () => rec.events.length === 3);
    env.server.setPhase(NS, name, 'Succeeded');
    await run;
    expect(rec.events.map((e) => e.message)).toEqual(['2\n', '3\n', '4\n']);
    expect(env.server.count('POST', PODS)).toBe(2); // 201, then 409 = attach
    expect(env.server.state.history.filter((e) => e.type === 'ADDED')).toHaveLength(1);
  });

  it('replaces a finished pod left over from an earlier build instead of attaching to it', async () => {
    const req = buildRequest();
    const name = req.job.buildName;
    const long = new Date(Date.now() - 3_600_000).toISOString();
    env.server.state.create(NS, {
      metadata: { name, labels: { name, component: 'binderhub-build' }, creationTimestamp: long },
      status: { phase: 'Failed' },
    });
    const run = env.backend().run(req, recorder().emit, new AbortController().signal);
    await waitFor('fresh pod', () => env.server.state.get(NS, name)?.status.phase === 'Pending');
    env.server.setPhase(NS, name, 'Succeeded');
    await run;
    expect(env.server.state.history.filter((e) => e.type === 'ADDED')).toHaveLength(2);
  });

  it('fails a build that prints nothing for idle_timeout, saying so, and deletes its pod', async () => {
    const backend = env.backend({ idleTimeoutMs: 800 });
    const req = buildRequest();
    const name = req.job.buildName;
    const rec = recorder();
    const run = backend.run(req, rec.emit, new AbortController().signal);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    for (let i = 0; i < 6; i++) {
      env.server.log(NS, name, r2d('building', `step ${i}\n`));
      await new Promise((r) => setTimeout(r, 200)); // output keeps it alive for 1.2 s > 0.8 s
    }
    const started = Date.now();
    const err = (await run.catch((e: unknown) => e)) as BuildFailedError;
    expect(err).toBeInstanceOf(BuildFailedError);
    expect(err.reason).toBe('idle');
    expect(err.message).toBe(
      'The build printed nothing for 0.8 seconds (BuildExecutor.idle_timeout), so it was stopped.',
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(rec.events).toHaveLength(6);
    expect(env.server.state.get(NS, name)).toBeUndefined();
  });

  it('fails a build that runs past max_age (counted from the pod’s creation)', async () => {
    const backend = env.backend({ maxAgeMs: 1500 });
    const req = buildRequest();
    const name = req.job.buildName;
    const started = Date.now();
    const run = backend.run(req, recorder().emit, new AbortController().signal);
    const err = (await run.catch((e: unknown) => e)) as BuildFailedError;
    expect(err.reason).toBe('max_age');
    expect(err.message).toBe(
      'The build ran for more than 1.5 seconds (BuildExecutor.max_age), so it was stopped.',
    );
    // creationTimestamp has whole seconds, so the deadline comes up to 1 s early
    expect(Date.now() - started).toBeGreaterThan(400);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(env.server.state.history.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(env.server.state.get(NS, name)).toBeUndefined();
  });

  it('tells the waiting people why a pod is stuck, and fails at once on an invalid image', async () => {
    const { name, rec, run } = startBuild(env);
    await waitFor('pod', () => env.server.state.get(NS, name));
    const waiting = (reason: string, message: string) => ({
      containerStatuses: [{ name: 'builder', state: { waiting: { reason, message } } }],
    });
    env.server.setPhase(NS, name, 'Pending', waiting('ContainerCreating', ''));
    env.server.setPhase(NS, name, 'Pending', waiting('ImagePullBackOff', 'Back-off pulling image'));
    env.server.setPhase(NS, name, 'Pending', waiting('ImagePullBackOff', 'Back-off pulling image'));
    await waitFor('waiting event', () => rec.events.length === 1);
    env.server.setPhase(NS, name, 'Pending', waiting('InvalidImageName', 'bad ref'));
    await expect(run).rejects.toThrow('Build pod is waiting: InvalidImageName (bad ref)');
    expect(rec.events).toEqual([
      {
        phase: 'waiting',
        message: 'Build pod is waiting: ImagePullBackOff (Back-off pulling image)\n',
      },
    ]);
  });

  it('fails when the pod is deleted under it (by an operator or the cleaner)', async () => {
    const { name, run } = startBuild(env);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    env.server.state.delete(NS, name);
    await expect(run).rejects.toThrow(
      `The build pod ${name} was deleted before the build finished.`,
    );
  });

  it('reports an API refusal to create the pod as a failed build', async () => {
    env.server.failCreates = { code: 403, reason: 'Forbidden', count: 1 };
    const run = env.backend().run(buildRequest(), recorder().emit, new AbortController().signal);
    await expect(run).rejects.toThrow('Could not start the build pod: pods is forbidden');
  });
});
