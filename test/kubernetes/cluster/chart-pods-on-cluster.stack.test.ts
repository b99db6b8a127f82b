/**
 * The chart's api and runner Deployments running as pods on the local cluster, from the
 * image built by the project's Dockerfile (scripts/kube.sh imports it): the runner pod
 * reaches the API server with its ServiceAccount token (in-cluster configuration) and
 * the chart's RBAC, and a Binder build through the api pod runs in a build pod.
 * This cluster has no pod network, Services or DNS, so the test patches the two
 * Deployments onto the host network, points the in-cluster API address at 127.0.0.1
 * and uses the stack's Redis and registry (not the chart's Redis). Skips, saying why,
 * only when no cluster runs.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readEventStream } from '../../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../../helpers/stack.js';
import { runTool } from '../../helpers/run-tool.js';
import { dockerfile } from './cluster-test-env.js';
import { APP_IMAGE, BUILD_IMAGE, describeOnCluster } from './real-cluster.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

await describeOnCluster('Chart api and runner as pods on the local cluster', (c) => {
  const id = randomUUID().slice(0, 6);
  const ns = `bhts-pods-${id}`;
  const env = { ...process.env, KUBECONFIG: c?.adminKubeconfig };
  const helm = (...args: string[]) => runTool(c.helm, args, { env, timeoutMs: 180_000 });
  let repo: ServedGitRepo;
  let apiPort = 0;

  beforeAll(async () => {
    const s = await requireStack();
    repo = await serveGitRepo({ Dockerfile: dockerfile('echo "built for the runner pod"') });
    [apiPort] = await Promise.all([freePort()]);
    const metricsPort = await freePort();
    expect((await c.kubectlRun(['create', 'namespace', ns])).code).toBe(0);
    const [repository, tag] = APP_IMAGE.split(':');
    const set = (k: string, v: string | number) => ['--set-string', `${k}=${v}`];
    const install = await helm(
      'install',
      'live',
      path.join(s.root, 'chart'),
      '--namespace',
      ns,
      ...set('image.repository', repository!),
      ...set('image.tag', tag!),
      ...set('image.pullPolicy', 'Never'),
      ...['--set', 'api.replicas=1', '--set', 'runner.replicas=1'],
      ...['--set', `api.port=${apiPort}`, '--set', `runner.metricsPort=${metricsPort}`],
      ...['--set', 'redis.enabled=false'],
      ...set('redis.externalUrl', s.redisUrl),
      ...set('hub.apiToken', s.hubApiToken),
      // the in-cluster API address (10.96.0.1) needs kube-proxy; on the host network it is here
      ...set('runner.extraEnv[0].name', 'KUBERNETES_SERVICE_HOST'),
      ...set('runner.extraEnv[0].value', '127.0.0.1'),
      ...set('runner.extraEnv[1].name', 'KUBERNETES_SERVICE_PORT'),
      ...set('runner.extraEnv[1].value', '6443'),
      ...set('config.BinderHub.hub_url', s.hubUrl),
      ...set('config.BinderHub.image_prefix', `${s.imagePrefix}pods${id}-`),
      ...['--set', 'config.BinderHub.enable_api_only_mode=true'],
      ...set('config.DockerRegistry.url', s.registryUrl),
      ...set('config.Redis.key_prefix', `pods-${id}`),
      ...set('config.BuildQueue.name', `builds-pods-${id}`),
      ...['--set', 'config.RateLimiter.limit=0'],
      ...['--set', 'config.GitRepoProvider.allowed_private_hosts={127.0.0.1}'],
      ...set('config.KubernetesBuildExecutor.build_image', BUILD_IMAGE),
      ...['--set', 'config.KubernetesBuildExecutor.host_network=true'],
      ...set('config.KubernetesBuildExecutor.push_secret', ''),
    );
    expect(install.err).toBe('');
    expect(install.code).toBe(0);
    for (const d of ['live-binderhub-ts-api', 'live-binderhub-ts-runner']) {
      const patch = await c.kubectlRun([
        'patch',
        'deployment',
        d,
        '--namespace',
        ns,
        '--type=json',
        '-p',
        '[{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true}]',
      ]);
      expect(patch.err).toBe('');
    }
    for (const d of ['live-binderhub-ts-api', 'live-binderhub-ts-runner']) {
      const r = await c.kubectlRun([
        'rollout',
        'status',
        `deployment/${d}`,
        '-n',
        ns,
        '--timeout=120s',
      ]);
      if (r.code !== 0) {
        // say why: the pods, their events and their logs
        const pods = await c.kubectlRun(['describe', 'pods', '-n', ns]);
        const logs = await c.kubectlRun(['logs', '-n', ns, `deployment/${d}`, '--tail=30']);
        expect.fail(`${d} did not roll out: ${r.err}\n${pods.out}\n${logs.out}${logs.err}`);
      }
    }
  }, 300_000);

  afterAll(async () => {
    await helm('uninstall', 'live', '--namespace', ns, '--wait');
    await c.kubectlRun(['delete', 'namespace', ns, '--wait=false']);
    await repo?.close();
  });

  it('the api pod answers, and a build through it runs in a build pod the runner pod created', async () => {
    const base = `http://127.0.0.1:${apiPort}/`;
    expect((await fetch(`${base}versions`)).status).toBe(200);
    const { events } = await readEventStream(
      `${base}build/git/${encodeURIComponent(repo.url)}/HEAD?build_only=true`,
    );
    const last = events[events.length - 1]!;
    expect(last.phase, JSON.stringify(last.data)).toBe('ready');
    expect(events.some((e) => e.message?.includes('built for the runner pod'))).toBe(true);
    const runnerLog = await c.kubectlRun(['logs', '-n', ns, 'deployment/live-binderhub-ts-runner']);
    expect(runnerLog.out).toMatch(/build pod created/);
  }, 300_000);
});
