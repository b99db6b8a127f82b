/**
 * The Kubernetes backend's cancel (issue 15: builds nobody waits for, forced rebuilds)
 * against the stand-in API server: a cancelled build's pod is deleted, unlike a runner
 * that only stops following it; a rebuild's pod gets the no-cache switch.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_CACHE_ENV } from '../../runners/content-provider-config.js';
import {
  NS,
  buildRequest,
  recorder,
  startKubeTestEnv,
  waitFor,
  type KubeTestEnv,
} from './kube-test-env.js';

const deletes = (env: KubeTestEnv, name: string) =>
  env.server.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/pods/${name}`));

describe('Kubernetes backend: cancel', () => {
  let env: KubeTestEnv;
  beforeEach(async () => {
    env = await startKubeTestEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  it('deletes the build pod of a cancelled build and fails it with the reason', async () => {
    const cancel = new AbortController();
    const req = { ...buildRequest(), cancel: cancel.signal };
    const name = req.job.buildName;
    const run = env.backend().run(req, recorder().emit, new AbortController().signal);
    await waitFor('pod', () => env.server.state.get(NS, name));
    env.server.setPhase(NS, name, 'Running');
    cancel.abort('Build cancelled: nobody was waiting for it any more');
    await expect(run).rejects.toMatchObject({
      reason: 'cancelled',
      message: 'Build cancelled: nobody was waiting for it any more',
    });
    expect(deletes(env, name)).toHaveLength(1);
    expect(env.server.state.get(NS, name)).toBeUndefined();
  });

  it('leaves the pod running when the runner only stops following (shutdown)', async () => {
    const stop = new AbortController();
    const req = { ...buildRequest(), cancel: new AbortController().signal };
    const name = req.job.buildName;
    const run = env.backend().run(req, recorder().emit, stop.signal);
    await waitFor('pod', () => env.server.state.get(NS, name));
    stop.abort();
    await expect(run).rejects.toMatchObject({ reason: 'cancelled' });
    expect(deletes(env, name)).toHaveLength(0);
    expect(env.server.state.get(NS, name)).toBeDefined();
  });

  it('starts nothing for a build cancelled before it started', async () => {
    const cancel = new AbortController();
    cancel.abort('gone');
    const req = { ...buildRequest(), cancel: cancel.signal };
    await expect(
      env.backend().run(req, recorder().emit, new AbortController().signal),
    ).rejects.toMatchObject({ reason: 'cancelled', message: 'gone' });
    expect(env.server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('gives a forced rebuild the no-cache switch, and an ordinary build not', async () => {
    const backend = env.backend();
    const env0 = async (rebuild: boolean) => {
      const pod = await backend.podFor(buildRequest(rebuild ? { rebuild } : {}), env.log);
      return pod.spec?.containers[0]?.env?.find((e) => e.name === NO_CACHE_ENV)?.value;
    };
    expect(await env0(true)).toBe('1');
    expect(await env0(false)).toBeUndefined();
  });
});
