/**
 * Private repositories on the Kubernetes backend, on the local cluster (real API server,
 * kubelet, garbage collector): the user's token travels sealed in the job, the runner
 * puts it in a per-build Secret owned by the build pod, which mounts it as a file for
 * git's credential helper. The repository is on a GitHub STAND-IN on loopback
 * (git-site-stand-in.ts; build pods use hostNetwork, so they reach it), not GitHub.
 * Skips, saying why, only when no cluster runs.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Config } from '../../../queue/config/index.js';
import { BuildFailedError } from '../../../runners/build-failed-error.js';
import { GitSiteStandIn, type StandInRepo } from '../../helpers/git-site-stand-in.js';
import { recorder, waitFor } from '../kube-test-env.js';
import {
  dockerfile,
  eventually,
  useClusterTestEnv,
  type ClusterTestEnv,
} from './cluster-test-env.js';
import {
  gitAuthSent,
  privateBuildConfig,
  privateRepoBuild,
  buildSecrets,
  siteToken,
} from './private-repo-build.js';
import { describeOnCluster } from './real-cluster.js';

const title = 'private repositories on the Kubernetes backend (GitHub stand-in)';

await describeOnCluster(title, (cluster) => {
  const t = useClusterTestEnv(cluster);
  let env: ClusterTestEnv;
  let site: GitSiteStandIn;
  let config: Config;
  let token: string;
  let repos = 0;
  beforeAll(async () => {
    site = await GitSiteStandIn.start('github');
    config = privateBuildConfig(site);
    token = await siteToken(site, 'alice');
  });
  afterAll(async () => {
    await site?.close();
  });
  beforeEach(() => {
    env = t.env();
  });
  const privateRepo = (...run: string[]): Promise<StandInRepo> =>
    site.addRepo(
      `alice/private-${++repos}`,
      { Dockerfile: dockerfile(...run) },
      { private: true, readers: ['alice'] },
    );
  const secretCalls = (method: string) =>
    env.recorder.calls.filter(
      (c) => c.method === method && /\/namespaces\/[^/]+\/secrets/.test(c.path),
    );
  const secretsOf = (buildName: string) => buildSecrets(env.ns.adminApi, env.ns.name, buildName);
  /** The build's one Secret (more than one fails the test), or undefined. */
  const secretOf = async (buildName: string) => {
    const found = await secretsOf(buildName);
    expect(found.length).toBeLessThanOrEqual(1);
    return found[0];
  };

  it('builds with the sealed token, which is only in the Secret (owned by the pod, gone after)', async () => {
    const repo = await privateRepo('echo "private build ran"');
    const req = await privateRepoBuild(config, repo, token);
    expect(JSON.stringify(req.job)).not.toContain(token);
    const rec = recorder();
    const run = env.backend().run(req, rec.emit, new AbortController().signal);
    run.catch(() => undefined); // awaited below
    const name = req.job.buildName;
    const [pod, secret] = await eventually('pod and Secret', async () => {
      const p = await env.pod(name);
      const s = await secretOf(name);
      return p && s && ([p, s] as const);
    });
    // as the API server has them: the pod names the Secret, the Secret holds the token
    expect(JSON.stringify(pod)).not.toContain(token);
    expect(pod.spec!.volumes!.find((v) => v.name === 'git-credentials')!.secret).toEqual({
      secretName: secret.metadata!.name,
      defaultMode: 0o400,
    });
    expect(secret.metadata!.name).toMatch(new RegExp(`^${name}-git-credentials-[0-9a-f]{8}$`));
    expect(secret.metadata!.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Pod', name, uid: pod.metadata!.uid },
    ]);
    expect(secret.metadata!.labels).toEqual(pod.metadata!.labels);
    expect(Buffer.from(secret.data!.credentials!, 'base64').toString()).toBe(
      `username=x-access-token\npassword=${token}\n`,
    );
    await run;
    expect(rec.events.map((e) => e.message ?? '').join('')).toContain('private build ran');
    expect(gitAuthSent(site, repo)).toContain(`x-access-token:${token}`);
    // deleted with the pod, before the run ends; the token in no log line
    expect(await env.pod(name)).toBeUndefined();
    expect(await secretOf(name)).toBeUndefined();
    expect(secretCalls('POST').map((c) => c.status)).toEqual([201]);
    expect(env.logLines.join('\n')).not.toContain(token);
  }, 180_000);

  it('without the token the clone fails (the site refuses), and no Secret is made', async () => {
    const repo = await privateRepo('echo never');
    const req = await privateRepoBuild(config, repo, undefined);
    const rec = recorder();
    const err = await env
      .backend()
      .run(req, rec.emit, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect(rec.events.map((e) => e.message ?? '').join('')).toMatch(/could not read Username/i);
    expect(secretCalls('POST')).toEqual([]);
    expect(gitAuthSent(site, repo)).toEqual([]);
  }, 180_000);

  it('a Secret left by an earlier pod is never mounted; without the Role’s rule the build fails, pod deleted', async () => {
    const repo = await privateRepo('echo "after a leftover"');
    const req = await privateRepoBuild(config, repo, token);
    const name = req.job.buildName;
    const leftover = `${name}-git-credentials-00000000`;
    await env.ns.adminApi.createNamespacedSecret({
      namespace: env.ns.name,
      body: {
        metadata: { name: leftover, labels: { name } },
        stringData: { credentials: 'username=x-access-token\npassword=stale\n' },
      },
    });
    await env.backend().run(req, recorder().emit, new AbortController().signal);
    expect(secretCalls('POST').map((c) => c.status)).toEqual([201]);
    expect(new Set(gitAuthSent(site, repo))).toEqual(new Set([`x-access-token:${token}`]));
    expect((await secretsOf(name)).map((x) => x.metadata!.name)).toEqual([leftover]);

    // a Role without `secrets` (a chart older than the runner): a clear failure, no pod left
    const patch = '[{"op":"remove","path":"/rules/2"}]';
    const role = ['-n', env.ns.name, 'patch', 'role', 'bhts-binderhub-ts-runner'];
    expect((await cluster.kubectlRun([...role, '--type=json', '-p', patch])).code).toBe(0);
    const again = await privateRepoBuild(config, await privateRepo('echo never'), token);
    const err = await eventually('refused', () =>
      env
        .backend()
        .run(again, recorder().emit, new AbortController().signal)
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        ),
    );
    expect(err.message).toMatch(
      /^Could not start the build pod: secrets is forbidden: .* cannot create resource "secrets"/,
    );
    expect(await env.pod(again.job.buildName)).toBeUndefined();
  }, 180_000);

  it('a failing build leaves no Secret; the second runner attaches without a second one', async () => {
    const repo = await privateRepo('for i in 1 2 3 4; do echo "tick $i"; sleep 1; done; exit 3');
    const req = await privateRepoBuild(config, repo, token);
    const a = recorder();
    const first = env.backend().run(req, a.emit, new AbortController().signal);
    first.catch(() => undefined); // awaited below
    await waitFor('tick 1', () => a.events.some((e) => e.message?.includes('tick 1')), 60_000);
    const second = env.backend().run(req, recorder().emit, new AbortController().signal);
    second.catch(() => undefined); // awaited below
    for (const run of [first, second]) await expect(run).rejects.toThrow(/non-zero code: 3/);
    // one Secret made; the attaching runner's create met it (409) and left it alone
    expect(secretCalls('POST').map((c) => c.status)).toEqual([201, 409]);
    expect(await secretOf(req.job.buildName)).toBeUndefined();
    expect(await env.pod(req.job.buildName)).toBeUndefined();
  }, 180_000);

  it('a runner restarted mid-build re-attaches (same Secret); cancelling removes pod and Secret', async () => {
    const repo = await privateRepo('for i in $(seq 1 60); do echo "tick $i"; sleep 1; done');
    const req = await privateRepoBuild(config, repo, token);
    const stop = new AbortController();
    const a = recorder();
    const first = env.backend().run(req, a.emit, stop.signal);
    first.catch(() => undefined);
    await waitFor('tick 1', () => a.events.some((e) => e.message?.includes('tick 1')), 60_000);
    const secret = (await secretOf(req.job.buildName))!;
    stop.abort(); // the runner stops: pod and Secret stay for the next one
    await first.catch(() => undefined);
    const cancel = new AbortController();
    const b = recorder();
    const again = new AbortController().signal;
    const second = env.backend().run({ ...req, cancel: cancel.signal }, b.emit, again);
    second.catch(() => undefined);
    await waitFor('tick', () => b.events.some((e) => e.message?.includes('tick')), 60_000);
    expect((await secretOf(req.job.buildName))!.metadata!.uid).toBe(secret.metadata!.uid);
    cancel.abort('Build cancelled: nobody follows it');
    await expect(second).rejects.toThrow('nobody follows it');
    expect(await env.pod(req.job.buildName)).toBeUndefined();
    expect(await secretOf(req.job.buildName)).toBeUndefined();
  }, 180_000);

  it('idle_timeout: the build fails and leaves neither pod nor Secret', async () => {
    const repo = await privateRepo('sleep 60');
    const req = await privateRepoBuild(config, repo, token);
    const backend = env.backend({ idleTimeoutMs: 8000 });
    const run = backend.run(req, recorder().emit, new AbortController().signal);
    run.catch(() => undefined); // awaited below
    await eventually('Secret', () => secretOf(req.job.buildName), 60_000);
    expect(((await run.catch((e: unknown) => e)) as BuildFailedError).reason).toBe('idle');
    expect(await env.pod(req.job.buildName)).toBeUndefined();
    expect(await secretsOf(req.job.buildName)).toEqual([]);
  }, 180_000);

  it('a finished pod the cleaner deletes takes its Secret with it (garbage collector)', async () => {
    const repo = await privateRepo('echo "short"');
    const req = await privateRepoBuild(config, repo, token);
    const stop = new AbortController();
    const backend = env.backend();
    const run = backend.run(req, recorder().emit, stop.signal);
    run.catch(() => undefined);
    await eventually('Secret', () => secretOf(req.job.buildName));
    stop.abort(); // nobody follows: the pod finishes on its own and stays
    await eventually(
      'pod Succeeded',
      async () => (await env.pod(req.job.buildName))?.status?.phase === 'Succeeded',
      120_000,
    );
    expect(await backend.cleaner.cleanup()).toEqual([req.job.buildName]);
    const started = Date.now();
    await eventually('Secret collected', async () => !(await secretOf(req.job.buildName)), 60_000);
    process.stdout.write(
      `[figures] Secret collected ${Date.now() - started} ms after its pod was deleted\n`,
    );
    expect(secretCalls('DELETE')).toEqual([]);
  }, 240_000);
});
