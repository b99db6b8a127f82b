/**
 * The Helm chart installed on the real API server of the local cluster: server-side
 * strict validation, every object created, RBAC enforced by the API server (checked with
 * `kubectl auth can-i --as=system:serviceaccount:…`), secrets kept across `helm
 * upgrade`, nothing left by `helm uninstall` but the Redis volume claim (documented).
 * Images are never pulled (pullPolicy Never): no traffic leaves the machine. Skips,
 * saying why, only when no cluster runs.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stackInfo } from '../../helpers/stack.js';
import { runTool } from '../../helpers/run-tool.js';
import { eventually } from './cluster-test-env.js';
import { describeOnCluster } from './real-cluster.js';

const CHART = path.join(stackInfo().root, 'chart');
const NO_PULL = ['--set', 'image.pullPolicy=Never', '--set', 'redis.image.pullPolicy=Never'];

type Doc = { kind: string; metadata: { name: string; namespace?: string } };
const docsOf = (yaml: string) =>
  parseAllDocuments(yaml)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);

/**
 * Rendered objects as one List for kubectl, each in its namespace (helm leaves the
 * release namespace out; objects for the build namespace name theirs).
 */
const asList = (yaml: string, ns: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: docsOf(yaml).map((d) => ({
      ...d,
      metadata: { ...d.metadata, namespace: d.metadata.namespace ?? ns },
    })),
  });

await describeOnCluster('Helm chart on the local cluster', (c) => {
  const id = randomUUID().slice(0, 6);
  const ns = `bhts-chart-${id}`;
  const builds = `${ns}-builds`;
  const env = { ...process.env, KUBECONFIG: c?.adminKubeconfig };
  const helm = (...args: string[]) => runTool(c.helm, args, { env, timeoutMs: 180_000 });
  const kubectl = (args: string[], input?: string) => c.kubectlRun(args, input);
  /** The API server's answer (a SubjectAccessReview) for a ServiceAccount of `ns`. */
  const canI = async (sa: string, verb: string, what: string, namespace = ns) => {
    const [resource, subresource] = what.split('/');
    const r = await kubectl([
      'auth',
      'can-i',
      verb,
      resource!,
      ...(subresource ? [`--subresource=${subresource}`] : []),
      '--namespace',
      namespace,
      `--as=system:serviceaccount:${ns}:${sa}`,
    ]);
    return r.out.trim();
  };

  beforeAll(async () => {
    for (const n of [ns, builds]) expect((await kubectl(['create', 'namespace', n])).code).toBe(0);
  });
  afterAll(async () => {
    await kubectl(['delete', 'namespace', ns, builds, '--wait=false']);
  });

  it.each([
    ['default', []],
    ['all-options', ['-f', path.join(CHART, 'ci/all-options-values.yaml')]],
  ])('%s values pass the API server’s strict validation', async (_name, values) => {
    const rendered = await helm(
      'template',
      'dry',
      CHART,
      '--namespace',
      ns,
      ...values,
      '--set',
      `config.KubernetesBuildExecutor.namespace=${builds}`,
    );
    expect(rendered.err).toBe('');
    const r = await kubectl(
      ['apply', '--dry-run=server', '--validate=strict', '-f', '-'],
      asList(rendered.out, ns),
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(docsOf(rendered.out).length);
  });

  it('installs with the default values: every object created, RBAC as intended', async () => {
    const install = await helm('install', 'bhts', CHART, '--namespace', ns, ...NO_PULL);
    expect(install.err).toBe('');
    expect(install.code).toBe(0);
    const manifest = (await helm('get', 'manifest', 'bhts', '--namespace', ns)).out;
    const got = await kubectl(['get', '-f', '-', '-o', 'name'], asList(manifest, ns));
    expect(got.err).toBe('');
    expect(got.out.trim().split('\n')).toHaveLength(docsOf(manifest).length);

    // the runners' account: build pods in its namespace and nothing else
    const runner = 'bhts-binderhub-ts-runner';
    for (const verb of ['create', 'get', 'list', 'watch', 'delete'])
      expect(await canI(runner, verb, 'pods'), `runner ${verb} pods`).toBe('yes');
    expect(await canI(runner, 'get', 'pods/log')).toBe('yes');
    // each build's git credentials Secret: made and removed, never read back
    for (const verb of ['create', 'delete'])
      expect(await canI(runner, verb, 'secrets'), `runner ${verb} secrets`).toBe('yes');
    for (const [verb, what] of [
      ['update', 'pods'],
      ['patch', 'pods'],
      ['create', 'pods/exec'],
      ['get', 'secrets'],
      ['list', 'secrets'],
      ['watch', 'secrets'],
      ['update', 'secrets'],
      ['create', 'deployments'],
      ['get', 'configmaps'],
      ['list', 'nodes'],
    ] as const)
      expect(await canI(runner, verb, what), `runner ${verb} ${what}`).toBe('no');
    expect(await canI(runner, 'create', 'pods', 'default')).toBe('no');
    expect(await canI(runner, 'create', 'secrets', 'default')).toBe('no');
    expect(await canI(runner, 'list', 'pods', 'kube-system')).toBe('no');
    // the api's (the namespace default) and the build pods' accounts: nothing at all
    for (const sa of ['default', 'bhts-binderhub-ts-build'])
      for (const [verb, what] of [
        ['get', 'pods'],
        ['create', 'pods'],
        ['get', 'secrets'],
        ['list', 'services'],
      ] as const)
        expect(await canI(sa, verb, what), `${sa} ${verb} ${what}`).toBe('no');
    // build pods get no token; the API server stored the generated Redis password
    const sa = await kubectl(['get', 'sa', 'bhts-binderhub-ts-build', '-n', ns, '-o', 'json']);
    expect(JSON.parse(sa.out).automountServiceAccountToken).toBe(false);
  }, 240_000);

  it('helm upgrade keeps the generated Redis password and build token key', async () => {
    const secret = async () =>
      JSON.parse(
        (await kubectl(['get', 'secret', 'bhts-binderhub-ts-secrets', '-n', ns, '-o', 'json'])).out,
      ).data as Record<string, string>;
    const before = await secret();
    expect(Object.keys(before).sort()).toEqual([
      'build-token-secret',
      'redis-password',
      'redis-url',
    ]);
    const up = await helm(
      'upgrade',
      'bhts',
      CHART,
      '--namespace',
      ns,
      ...NO_PULL,
      '--set',
      'api.replicas=1',
    );
    expect(up.err).toBe('');
    expect(up.code).toBe(0);
    expect(await secret()).toEqual(before);
    const api = await kubectl(['get', 'deploy', 'bhts-binderhub-ts-api', '-n', ns, '-o', 'json']);
    expect(JSON.parse(api.out).spec.replicas).toBe(1);
  }, 240_000);

  it('helm uninstall leaves nothing but the Redis volume claim', async () => {
    const manifest = (await helm('get', 'manifest', 'bhts', '--namespace', ns)).out;
    const un = await helm('uninstall', 'bhts', '--namespace', ns, '--wait');
    expect(un.code).toBe(0);
    const left = await kubectl(
      ['get', '-f', '-', '-o', 'name', '--ignore-not-found'],
      asList(manifest, ns),
    );
    expect(left.out.trim()).toBe('');
    // pods of the Deployments go by garbage collection, after the release
    const remaining = () =>
      kubectl([
        'get',
        'all,secrets,serviceaccounts,roles,rolebindings,networkpolicies,poddisruptionbudgets,pvc',
        '--namespace',
        ns,
        '-o',
        'name',
      ]).then((r) => r.out.trim().split('\n').sort());
    const left2 = await eventually(
      'pods gone',
      async () => {
        const names = await remaining();
        return names.some((n) => n.startsWith('pod/')) ? undefined : names;
      },
      120_000,
    );
    expect(left2).toEqual([
      'persistentvolumeclaim/data-bhts-binderhub-ts-redis-0',
      'serviceaccount/default',
    ]);
  }, 240_000);

  it('installs with every option (HTTPRoute, Ingress, push secret in the build namespace)', async () => {
    const install = await helm(
      'install',
      'full',
      CHART,
      '--namespace',
      ns,
      '-f',
      path.join(CHART, 'ci/all-options-values.yaml'),
      ...NO_PULL,
      '--set',
      `config.KubernetesBuildExecutor.namespace=${builds}`,
    );
    expect(install.err).toBe('');
    expect(install.code).toBe(0);
    const manifest = (await helm('get', 'manifest', 'full', '--namespace', ns)).out;
    const docs = docsOf(manifest);
    expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['HTTPRoute', 'Ingress']));
    const got = await kubectl(['get', '-f', '-', '-o', 'name'], asList(manifest, ns));
    expect(got.err).toBe('');
    expect(got.out.trim().split('\n')).toHaveLength(docs.length);
    expect(await canI('binder-runner', 'create', 'pods', builds)).toBe('yes');
    expect(await canI('binder-runner', 'create', 'pods', ns)).toBe('no');
    expect((await helm('uninstall', 'full', '--namespace', ns, '--wait')).code).toBe(0);
  }, 240_000);
});
