/**
 * The Kubernetes backend against the stand-in API server (fake-kube-apiserver.ts), for
 * what the real cluster of scripts/kube.sh cannot be made to do on demand: expire a
 * watch's history (410 Gone), keep a finished pod from an earlier build, get stuck
 * pulling an image (pulls would leave the machine), evict a pod or OOM-kill it. Every
 * other behaviour is tested on the real cluster (test/kubernetes/cluster/).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NS,
  buildRequest,
  recorder,
  startBuild,
  startKubeTestEnv,
  waitFor,
  type KubeTestEnv,
} from './kube-test-env.js';

const PODS = /\/namespaces\/binder-test\/pods$/;
const lists = (env: KubeTestEnv) =>
  env.server.requests.filter((r) => r.method === 'GET' && PODS.test(r.path) && !r.query.watch);

describe('Kubernetes backend: failures a real API server will not produce on demand', () => {
  let env: KubeTestEnv;
  beforeEach(async () => {
    env = await startKubeTestEnv();
  });
  afterEach(async () => {
    await env.close();
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
});
