/**
 * The local single-node cluster of `bash scripts/kube.sh up` (stack.sh up runs it):
 * where it is, whether it answers, and per-test namespaces in which a runner works with
 * the chart's own RBAC (its ServiceAccount, Role and RoleBinding, rendered by helm) and
 * a bearer token, as it would in a cluster.
 */
import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  REPO2DOCKER_CONFIG,
  REPO2DOCKER_CONFIG_FILE,
} from '../../../runners/content-provider-config.js';
import { stackInfo } from '../../helpers/stack.js';
import { runTool } from '../../helpers/run-tool.js';

export const BUILD_IMAGE = 'binderhub-ts/repo2docker:2024.7.0';
export const APP_IMAGE = 'binderhub-ts/binderhub-ts:dev';

export interface Cluster {
  kubeDir: string;
  kubectl: string;
  helm: string;
  adminKubeconfig: string;
  admin: KubeConfig;
  nodeName: string;
  /** kubectl with the admin kubeconfig. */
  kubectlRun(args: string[], input?: string): ReturnType<typeof runTool>;
}

export type ClusterProbe = { ok: true; cluster: Cluster } | { ok: false; reason: string };

/** Finds the cluster; when there is none, says why (the tests then skip). */
export async function probeCluster(): Promise<ClusterProbe> {
  const probe = await findCluster();
  if (!probe.ok) process.stdout.write(`[kubernetes] tests skipped: ${probe.reason}\n`);
  return probe;
}

/**
 * describe() on the local cluster: the body gets the cluster; when there is none the
 * suite is skipped and its title says why.
 */
export async function describeOnCluster(
  title: string,
  body: (cluster: Cluster) => void,
): Promise<void> {
  const probe = await probeCluster();
  const shown = probe.ok ? title : `${title} (skipped: ${probe.reason})`;
  describe.skipIf(!probe.ok)(shown, () => {
    if (probe.ok) body(probe.cluster);
  });
}

async function findCluster(): Promise<ClusterProbe> {
  const s = stackInfo();
  const kubeDir = process.env['BINDERHUB_TS_KUBE_DIR'] ?? path.join(s.stackDir, 'kube');
  const adminKubeconfig = path.join(kubeDir, 'admin.kubeconfig');
  const kubectl = path.join(kubeDir, 'bin', 'kubectl');
  const helm = path.join(s.stackDir, 'bin', 'helm');
  const start = 'start it with `bash scripts/stack.sh up` (or `bash scripts/kube.sh up`)';
  for (const f of [adminKubeconfig, kubectl, helm])
    if (!existsSync(f))
      return { ok: false, reason: `no local Kubernetes cluster (${f} is missing): ${start}` };
  const env = { ...process.env, KUBECONFIG: adminKubeconfig };
  const kubectlRun = (args: string[], input?: string) => runTool(kubectl, args, { env, input });
  const node = await kubectlRun(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
  if (node.code !== 0 || !node.out)
    return {
      ok: false,
      reason: `the cluster in ${kubeDir} does not answer (${node.err.trim()}): ${start}`,
    };
  const admin = new KubeConfig();
  admin.loadFromFile(adminKubeconfig);
  return {
    ok: true,
    cluster: { kubeDir, kubectl, helm, adminKubeconfig, admin, nodeName: node.out, kubectlRun },
  };
}

/** The chart rendered with helm (throws on failure). */
export async function helmTemplate(c: Cluster, args: string[]): Promise<string> {
  const chart = path.join(stackInfo().root, 'chart');
  const r = await runTool(c.helm, ['template', 'bhts', chart, ...args]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.err}`);
  return r.out;
}

export interface TestNamespace {
  name: string;
  /** The runner's kubeconfig (ServiceAccount token), as a file and loaded. */
  kubeconfigPath: string;
  runner: KubeConfig;
  /** The build pods' ServiceAccount (the chart's, no token mounted). */
  buildServiceAccount: string;
  adminApi: CoreV1Api;
  close(): Promise<void>;
}

/** Writes a kubeconfig for `server` with a bearer token. */
export function tokenKubeconfig(server: string, token: string, namespace: string, ca?: string) {
  // plain HTTP (a recording front on loopback) needs the skip flag to send a token
  const cluster = ca
    ? `{server: "${server}", certificate-authority-data: ${Buffer.from(ca).toString('base64')}}`
    : `{server: "${server}", insecure-skip-tls-verify: true}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: local, cluster: ${cluster}}]`,
    `users: [{name: runner, user: {token: "${token}"}}]`,
    `contexts: [{name: local, context: {cluster: local, user: runner, namespace: ${namespace}}}]`,
    'current-context: local',
    '',
  ].join('\n');
}

/**
 * A fresh namespace with the chart's runner RBAC and build ServiceAccount in it. The
 * runner talks to `server` (default: the API server itself; a test may put an
 * ApiRecorder in between) with its ServiceAccount's token.
 */
export async function createTestNamespace(
  c: Cluster,
  server?: (apiserver: URL, ca: string) => Promise<string>,
): Promise<TestNamespace> {
  const name = `bhts-t-${randomUUID().slice(0, 8)}`;
  const ns = await c.kubectlRun(['create', 'namespace', name]);
  if (ns.code !== 0) throw new Error(`kubectl create namespace: ${ns.err}`);
  const rbac = await helmTemplate(c, [
    '--namespace',
    name,
    '--show-only',
    'templates/runner-rbac.yaml',
    '--show-only',
    'templates/build-serviceaccount.yaml',
  ]);
  const applied = await c.kubectlRun(['apply', '--namespace', name, '-f', '-'], rbac);
  if (applied.code !== 0) throw new Error(`kubectl apply (chart RBAC): ${applied.err}`);
  const adminApi = c.admin.makeApiClient(CoreV1Api);
  // What the chart's repo2docker-configmap.yaml creates, under the default name.
  await adminApi.createNamespacedConfigMap({
    namespace: name,
    body: {
      metadata: { name: 'binder-repo2docker-config' },
      data: { [REPO2DOCKER_CONFIG_FILE]: REPO2DOCKER_CONFIG },
    },
  });
  const token = await adminApi.createNamespacedServiceAccountToken({
    name: 'bhts-binderhub-ts-runner',
    namespace: name,
    body: { spec: { audiences: [], expirationSeconds: 7200 } },
  });
  const cluster = c.admin.getCurrentCluster()!;
  const ca =
    Buffer.from(cluster.caData ?? '', 'base64').toString() || readFileSync(cluster.caFile!, 'utf8');
  const apiserver = new URL(cluster.server);
  const url = server ? await server(apiserver, ca) : cluster.server;
  const dir = await mkdtemp(path.join(tmpdir(), 'bhts-kube-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig.yaml');
  await writeFile(
    kubeconfigPath,
    tokenKubeconfig(url, token.status!.token, name, url.startsWith('https:') ? ca : undefined),
  );
  const runner = new KubeConfig();
  runner.loadFromFile(kubeconfigPath);
  return {
    name,
    kubeconfigPath,
    runner,
    buildServiceAccount: 'bhts-binderhub-ts-build',
    adminApi,
    async close() {
      await c.kubectlRun(['delete', 'namespace', name, '--wait=false']);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
