/**
 * The Helm chart: `helm lint`, `helm template` with default values and with values
 * files that set every option, and every rendered manifest validated offline against
 * the Kubernetes API schema (scripts/k8s-validate). helm and the validator are built
 * from the Go module proxy by `bash scripts/stack.sh up` (scripts/kube.sh) and cached
 * in .stack/bin; the tests only check that they are there.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../queue/config/index.js';
import {
  REPO2DOCKER_CONFIG,
  REPO2DOCKER_CONFIG_FILE,
} from '../../runners/content-provider-config.js';
import { stackDirPath } from '../helpers/stack.js';
import { runTool } from '../helpers/run-tool.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const HELM = join(stackDirPath(), 'bin/helm');
const VALIDATE = join(stackDirPath(), 'bin/k8s-validate');
const CHART = join(ROOT, 'chart');
const VALUES = {
  default: [] as string[],
  allOptions: ['-f', join(CHART, 'ci/all-options-values.yaml')],
  externalRedis: ['-f', join(CHART, 'ci/external-redis-values.yaml')],
  auth: ['-f', join(CHART, 'ci/auth-values.yaml')],
};

/* eslint-disable @typescript-eslint/no-explicit-any */
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [k: string]: any;
};

const run = (cmd: string, args: string[], input?: string) =>
  runTool(cmd, args, { input, cwd: ROOT });

async function template(
  values: string[],
  extra: string[] = [],
): Promise<{ yaml: string; docs: Manifest[] }> {
  const r = await run(HELM, [
    'template',
    'bhts',
    CHART,
    '--namespace',
    'binder',
    ...values,
    ...extra,
  ]);
  expect(r.err, 'helm template stderr').toBe('');
  expect(r.code).toBe(0);
  const docs = parseAllDocuments(r.out)
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);
  return { yaml: r.out, docs };
}

function validate(yaml: string, kubeVersion = '1.37') {
  return run(VALIDATE, ['-kube-version', kubeVersion, '-'], yaml);
}

const kinds = (docs: Manifest[]) => docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();

function configOf(docs: Manifest[]) {
  const secret = docs.find((d) => d.kind === 'Secret' && d.metadata.name.endsWith('-config'))!;
  return parseConfig(parseAllDocuments(secret.stringData['config.yaml'])[0]!.toJS());
}

describe('Helm chart', () => {
  let dir: string;
  beforeAll(() => {
    for (const tool of [HELM, VALIDATE])
      if (!existsSync(tool))
        throw new Error(`${tool} is missing: \`bash scripts/stack.sh up\` builds it`);
    dir = mkdtempSync(join(tmpdir(), 'chart-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.entries(VALUES))('helm lint passes (%s values)', async (_name, values) => {
    const r = await run(HELM, ['lint', CHART, '--strict', ...values]);
    expect(r.out + r.err).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it.each(Object.entries(VALUES))(
    'every manifest rendered with %s values validates',
    async (_name, values) => {
      const { yaml, docs } = await template(values);
      const r = await validate(yaml);
      expect(r.out).toContain(`${docs.length} objects checked, 0 invalid`);
      expect(r.code).toBe(0);
    },
  );

  it('default values: api, runners with RBAC, Redis, PDBs', async () => {
    const { docs } = await template(VALUES.default);
    expect(kinds(docs)).toEqual([
      'ConfigMap/bhts-binderhub-ts-repo2docker-config',
      'Deployment/bhts-binderhub-ts-api',
      'Deployment/bhts-binderhub-ts-runner',
      'NetworkPolicy/bhts-binderhub-ts-redis',
      'PodDisruptionBudget/bhts-binderhub-ts-api',
      'PodDisruptionBudget/bhts-binderhub-ts-runner',
      'Role/bhts-binderhub-ts-runner',
      'RoleBinding/bhts-binderhub-ts-runner',
      'Secret/bhts-binderhub-ts-config',
      'Secret/bhts-binderhub-ts-secrets',
      'Service/bhts-binderhub-ts',
      'Service/bhts-binderhub-ts-redis',
      'ServiceAccount/bhts-binderhub-ts-build',
      'ServiceAccount/bhts-binderhub-ts-runner',
      'StatefulSet/bhts-binderhub-ts-redis',
    ]);
    const role = docs.find((d) => d.kind === 'Role')!;
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] },
    ]);
    const redis = docs.find((d) => d.kind === 'StatefulSet')!.spec.template.spec.containers[0];
    expect(redis.args[0]).toContain('--appendonly yes');
    expect(redis.args[0]).toContain('--maxmemory-policy noeviction');
    const api = docs.find((d) => d.metadata.name.endsWith('-api') && d.kind === 'Deployment')!;
    const container = api.spec.template.spec.containers[0];
    expect(container.command).toEqual([
      'node',
      'bin/binderhub-ts.js',
      'api',
      '--config',
      '/etc/binderhub-ts/config.yaml',
    ]);
    expect(container.readinessProbe.httpGet.path).toBe('/versions');
    const runner = docs.find(
      (d) => d.metadata.name.endsWith('-runner') && d.kind === 'Deployment',
    )!;
    expect(runner.spec.template.spec.containers[0].livenessProbe.httpGet.path).toBe('/health');
    expect(runner.spec.template.spec.serviceAccountName).toBe('bhts-binderhub-ts-runner');
  });

  it('the configuration file it renders is accepted by binderhub-ts', async () => {
    for (const values of Object.values(VALUES)) {
      const config = configOf((await template(values)).docs);
      expect(config.Runner.backend).toBe('kubernetes');
      expect(config.BinderHub.bind_host).toBe('0.0.0.0');
    }
    const all = configOf((await template(VALUES.allOptions)).docs);
    expect(all.KubernetesBuildExecutor).toMatchObject({
      namespace: 'binder-builds',
      push_secret: 'binder-push',
      sticky_builds: true,
    });
    expect(all.DockerRegistry).toMatchObject({
      url: 'https://registry.example.org',
      username: 'robot',
    });
    expect(all.BinderHub.port).toBe(8080);
    expect(all.Runner.metrics_port).toBe(9090);
    const auth = configOf((await template(VALUES.auth)).docs);
    expect(auth.BinderHub).toMatchObject({ auth_enabled: true, trust_proxy: 1 });
    expect(auth.HubOAuth.oauth_redirect_uri).toBe('https://binder.example.org/oauth_callback');
    expect(auth.Launcher).toMatchObject({
      allow_named_servers: true,
      named_server_limit_per_user: 3,
    });
  });

  it('repo2docker’s configuration: a ConfigMap in the build namespace, named in the config', async () => {
    for (const [values, namespace] of [
      [VALUES.default, 'binder'],
      [VALUES.allOptions, 'binder-builds'],
    ] as const) {
      const { docs } = await template(values);
      const map = docs.find((d) => d.kind === 'ConfigMap')!;
      expect(map.metadata.name).toMatch(/-repo2docker-config$/);
      expect(map.metadata.namespace).toBe(namespace);
      expect(map.data).toEqual({ [REPO2DOCKER_CONFIG_FILE]: REPO2DOCKER_CONFIG });
      expect(configOf(docs).KubernetesBuildExecutor.repo2docker_config_map).toBe(map.metadata.name);
    }
  });

  it('every option: ingress, HTTPRoute, push secret in the build namespace, probes under base_url', async () => {
    const { docs } = await template(VALUES.allOptions);
    const push = docs.find((d) => d.metadata.name === 'binder-push')!;
    expect(push.metadata.namespace).toBe('binder-builds');
    const auth = JSON.parse(Buffer.from(push.data['config.json'], 'base64').toString());
    expect(auth).toEqual({
      auths: {
        'https://registry.example.org': { auth: Buffer.from('robot:s3cret').toString('base64') },
      },
    });
    expect(docs.find((d) => d.kind === 'Role')!.metadata.namespace).toBe('binder-builds');
    expect(docs.find((d) => d.kind === 'HTTPRoute')!.spec.rules[0].matches[0].path.value).toBe(
      '/binder/',
    );
    expect(docs.find((d) => d.kind === 'Ingress')!.spec.rules.map((r: any) => r.host)).toEqual([
      'binder.example.org',
      'mybinder.example.org',
    ]);
    const api = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'binder-api')!;
    const c = api.spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe('/binder/health');
    expect(c.livenessProbe.httpGet.path).toBe('/binder/versions');
    expect(c.env.find((e: any) => e.name === 'REDIS_URL').valueFrom.secretKeyRef).toEqual({
      name: 'binder-secrets',
      key: 'redis-url',
    });
    const secrets = docs.find((d) => d.metadata.name === 'binder-secrets')!.stringData;
    expect(secrets['redis-url']).toBe('redis://:redis-pass@binder-redis:6379');
    expect(
      c.env.find((e: any) => e.name === 'JUPYTERHUB_API_TOKEN').valueFrom.secretKeyRef,
    ).toEqual({
      name: 'hub',
      key: 'hub.services.binder.apiToken',
    });
  });

  it('Redis has a password by default, generated, and api and runners get it in REDIS_URL', async () => {
    const { docs } = await template(VALUES.default);
    const secret = docs.find((d) => d.metadata.name === 'bhts-binderhub-ts-secrets')!;
    const password: string = secret.stringData['redis-password'];
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(secret.stringData['redis-url']).toBe(
      `redis://:${password}@bhts-binderhub-ts-redis:6379`,
    );
    const redis = docs.find((d) => d.kind === 'StatefulSet')!.spec.template.spec.containers[0];
    expect(redis.env).toEqual([
      {
        name: 'REDIS_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'bhts-binderhub-ts-secrets', key: 'redis-password' } },
      },
    ]);
    for (const d of docs.filter((x) => x.kind === 'Deployment')) {
      const env = d.spec.template.spec.containers[0].env;
      expect(env.find((e: any) => e.name === 'REDIS_URL').valueFrom.secretKeyRef.key).toBe(
        'redis-url',
      );
    }
    const off = await template([], ['--set', 'redis.auth=false']);
    const plain = off.docs.find((d) => d.metadata.name === 'bhts-binderhub-ts-secrets')!;
    expect(plain.stringData['redis-url']).toBe('redis://bhts-binderhub-ts-redis:6379');
    expect(plain.stringData['redis-password']).toBeUndefined();
  });

  it('only api and runner pods may reach Redis (NetworkPolicy)', async () => {
    const { docs } = await template(VALUES.default);
    const policy = docs.find((d) => d.kind === 'NetworkPolicy')!;
    const component = (c: string) => ({
      'app.kubernetes.io/name': 'binderhub-ts',
      'app.kubernetes.io/instance': 'bhts',
      'app.kubernetes.io/component': c,
    });
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: component('redis') },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: component('api') } },
            { podSelector: { matchLabels: component('runner') } },
          ],
          ports: [{ protocol: 'TCP', port: 6379 }],
        },
      ],
    });
    const off = await template([], ['--set', 'redis.networkPolicy.enabled=false']);
    expect(off.docs.some((d) => d.kind === 'NetworkPolicy')).toBe(false);
  });

  it('build pods get their own ServiceAccount (no token), never the runners’', async () => {
    const { docs } = await template(VALUES.default);
    const sa = docs.find((d) => d.metadata.name === 'bhts-binderhub-ts-build')!;
    expect(sa).toMatchObject({ kind: 'ServiceAccount', automountServiceAccountToken: false });
    expect(configOf(docs).KubernetesBuildExecutor.service_account).toBe('bhts-binderhub-ts-build');
    const shared = await run(HELM, [
      'template',
      'x',
      CHART,
      '--set',
      'buildServiceAccount.name=x-binderhub-ts-runner',
    ]);
    expect(shared.code).not.toBe(0);
    expect(shared.err).toContain(
      'build pods would run as the runners\' ServiceAccount "x-binderhub-ts-runner"',
    );
    const bothDefault = await run(HELM, [
      'template',
      'x',
      CHART,
      '--set',
      'serviceAccount.create=false',
      '--set',
      'buildServiceAccount.create=false',
    ]);
    expect(bothDefault.code).not.toBe(0);
    expect(bothDefault.err).toContain('"default"');
  });

  it('all api replicas share one generated build_token_secret', async () => {
    const { docs } = await template(VALUES.default);
    const key = docs.find((d) => d.metadata.name === 'bhts-binderhub-ts-secrets')!.stringData[
      'build-token-secret'
    ];
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const api = docs.find((d) => d.kind === 'Deployment' && d.metadata.name.endsWith('-api'))!;
    expect(
      api.spec.template.spec.containers[0].env.find(
        (e: any) => e.name === 'BINDERHUB_BUILD_TOKEN_SECRET',
      ).valueFrom.secretKeyRef,
    ).toEqual({ name: 'bhts-binderhub-ts-secrets', key: 'build-token-secret' });
    const given = await template([], ['--set', 'config.BinderHub.build_token_secret=abcd']);
    expect(
      given.docs.find((d) => d.metadata.name === 'bhts-binderhub-ts-secrets')!.stringData[
        'build-token-secret'
      ],
    ).toBe('abcd');
  });

  it('renders for the oldest Kubernetes it supports (1.28) and refuses older ones', async () => {
    const r128 = await validate(
      (await template(VALUES.allOptions, ['--kube-version', '1.28.0'])).yaml,
      '1.28',
    );
    expect(r128.out).toContain('0 invalid');
    expect(r128.code).toBe(0);
    const r = await run(HELM, ['template', 'x', CHART, '--kube-version', '1.27.0']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('kubeVersion');
  });

  it('values.schema.json rejects unknown keys and bad values with the key named', async () => {
    const typo = await run(HELM, ['template', 'x', CHART, '--set', 'api.replica=3']);
    expect(typo.code).not.toBe(0);
    expect(typo.err).toMatch(/api.*replica/);
    const bad = await run(HELM, ['template', 'x', CHART, '--set', 'service.type=Public']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain("at '/service/type': value must be one of");
  });

  it('the validator rejects what the API server would (so a green run means something)', async () => {
    const bad = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 1, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i, imagePullPolicy: Sometimes, port: 80}]}}}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: "eighty"}]}',
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {rules: [{http: {paths: [{path: /, backend: {service: {name: s, port: {number: 80}}}}]}}]}',
      'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {maxUnavailable: 1}',
    ];
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, bad.join('\n---\n'));
    const r = await run(VALIDATE, [file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('unknown field "spec.template.spec.containers[0].port"');
    expect(r.out).toContain('Service/s: strict decoding');
    expect(r.out).toContain('missing required field(s): spec.rules[].http.paths[].pathType');
    expect(r.out).toContain('policy/v1beta1 was removed in Kubernetes 1.25');
    expect(r.out).toContain('4 objects checked, 4 invalid');
  });
});
