import { CoreV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubernetesCleaner } from '../../runners/kubernetes/kubernetes-cleaner.js';
import { NS, startKubeTestEnv, waitFor, type KubeTestEnv } from './kube-test-env.js';

const HOUR = 3_600_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');

function addBuildPod(env: KubeTestEnv, name: string, status: Record<string, unknown>, labels = {}) {
  env.server.state.create(NS, {
    metadata: {
      name,
      labels: { name, component: 'binderhub-build', ...labels },
      annotations: { 'binder-repo': `https://example.org/${name}` },
    },
    status,
  });
}

describe('KubernetesCleaner against a stand-in API server', () => {
  let env: KubeTestEnv;
  beforeEach(async () => {
    env = await startKubeTestEnv();
    addBuildPod(env, 'done-ok', { phase: 'Succeeded', startTime: iso(60_000) });
    addBuildPod(env, 'done-failed', { phase: 'Failed', startTime: iso(60_000) });
    addBuildPod(env, 'evicted', { phase: 'Failed', reason: 'Evicted', startTime: iso(60_000) });
    addBuildPod(env, 'running-young', { phase: 'Running', startTime: iso(60_000) });
    addBuildPod(env, 'running-old', { phase: 'Running', startTime: iso(5 * HOUR) });
    addBuildPod(env, 'pending-young', { phase: 'Pending' });
    env.server.state.create(NS, {
      metadata: {
        name: 'stuck-pending',
        labels: { component: 'binderhub-build' },
        creationTimestamp: iso(5 * HOUR),
      },
      status: { phase: 'Pending' },
    });
    // not a build pod: never touched
    env.server.state.create(NS, {
      metadata: { name: 'jupyter-someone', labels: { component: 'singleuser-server' } },
      status: { phase: 'Succeeded' },
    });
  });
  afterEach(async () => {
    await env.close();
  });

  const cleaner = (over: Partial<ConstructorParameters<typeof KubernetesCleaner>[0]> = {}) =>
    new KubernetesCleaner({
      api: env.kubeConfig.makeApiClient(CoreV1Api),
      namespace: NS,
      maxAgeMs: 4 * HOUR,
      intervalMs: 60_000,
      log: env.log,
      ...over,
    });

  it('deletes finished, evicted and over-age build pods; keeps running and other pods', async () => {
    const deleted = await cleaner().cleanup();
    expect(deleted.sort()).toEqual([
      'done-failed',
      'done-ok',
      'evicted',
      'running-old',
      'stuck-pending',
    ]);
    const left = [...env.server.state.pods.values()].map((p) => p.metadata.name).sort();
    expect(left).toEqual(['jupyter-someone', 'pending-young', 'running-young']);
    expect(env.server.requests.find((r) => r.method === 'GET')!.query.labelSelector).toBe(
      'component=binderhub-build',
    );
    expect(env.logLines.join('')).toContain('"repo":"https://example.org/running-old"');
  });

  it('with max_age 0 deletes only finished pods', async () => {
    const deleted = await cleaner({ maxAgeMs: 0 }).cleanup();
    expect(deleted.sort()).toEqual(['done-failed', 'done-ok', 'evicted']);
  });

  it('runs on its interval once started, and stops', async () => {
    const c = cleaner({ intervalMs: 50 });
    c.start();
    await waitFor('cleaned', () => !env.server.state.get(NS, 'done-ok'), 3000);
    await c.stop();
    addBuildPod(env, 'after-stop', { phase: 'Succeeded' });
    await new Promise((r) => setTimeout(r, 200));
    expect(env.server.state.get(NS, 'after-stop')).toBeDefined();
  });

  it('the backend runs the cleaner when KubernetesCleaner is enabled', async () => {
    env.backend({ cleanerEnabled: true, cleanupIntervalMs: 50, cleanerMaxAgeMs: 4 * HOUR });
    await waitFor('cleaned by the backend', () => !env.server.state.get(NS, 'running-old'), 3000);
    expect(env.server.state.get(NS, 'running-young')).toBeDefined();
  });
});
