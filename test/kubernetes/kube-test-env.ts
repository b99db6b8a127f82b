/**
 * Shared set-up for the Kubernetes backend tests: the stand-in API server, a KubeConfig
 * pointing at it, fast timings, build requests and an event recorder.
 */
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { createLogger, type BuildEvent, type BuildJob, type Logger } from '../../queue/index.js';
import type { BuildRequest } from '../../runners/build-backend.js';
import { KubernetesBuildBackend } from '../../runners/kubernetes/kubernetes-build-backend.js';
import type { KubernetesBackendSettings } from '../../runners/kubernetes/kubernetes-settings.js';
import { FakeKubeApiServer } from './fake-kube-apiserver.js';

export const NS = 'binder-test';

export function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stand-in', server, skipTLSVerify: true }],
    users: [{ name: 'runner', token: 'test-token' }],
    contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'runner', namespace: NS }],
    currentContext: 'stand-in',
  });
  return kc;
}

export function testSettings(
  over: Partial<KubernetesBackendSettings> = {},
): KubernetesBackendSettings {
  return {
    namespace: NS,
    buildImage: 'quay.io/jupyterhub/repo2docker:2024.07.0',
    imagePullSecrets: [],
    dockerHost: '/var/run/docker.sock',
    resources: { limits: {}, requests: {} },
    nodeSelector: {},
    tolerations: [],
    extraEnvs: {},
    logTailLines: 100,
    stickyBuilds: false,
    imageBuilderSelector: 'component=image-builder,app=binder',
    pushSecret: 'binder-build-docker-config',
    repo2dockerConfigMap: 'binder-repo2docker-config',
    registryCredentials: {},
    hostNetwork: false,
    serviceAccount: '',
    idleTimeoutMs: 0,
    maxAgeMs: 0,
    cleanerEnabled: false,
    cleanerMaxAgeMs: 0,
    cleanupIntervalMs: 0,
    watchTimeoutSeconds: 30,
    retryDelayMs: 50,
    drainTimeoutMs: 2000,
    ...over,
  };
}

/** A logger that keeps its lines (tests can look at them) instead of printing. */
export function testLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', name: 'k8s-test', destination }), lines };
}

export function buildRequest(over: Partial<BuildJob> = {}): BuildRequest {
  const id = randomUUID().slice(0, 8);
  const job: BuildJob = {
    buildName: `build-test-${id}-abc-12`,
    image: `127.0.0.1:5000/binder-test-${id}:abc123`,
    provider: 'git',
    providerName: 'Git',
    spec: 'https%3A%2F%2Fexample.org%2Frepo.git/HEAD',
    resolvedSpec: 'https%3A%2F%2Fexample.org%2Frepo.git/abc123',
    repoUrl: 'https://example.org/repo.git',
    ref: 'abc123',
    trigger: 'launch',
    requestedAt: Date.now(),
    ...over,
  };
  // No settings: these tests are about pods, not git (see test/integration/url-guard.stack.test.ts).
  return { job, content: { repo: job.repoUrl, env: {} }, push: true, appendix: '', extraArgs: [] };
}

/** Collects the events a run emits, and their positions. */
export function recorder(): {
  events: BuildEvent[];
  positions: Array<number | undefined>;
  emit: (e: BuildEvent, position?: number) => Promise<void>;
} {
  const events: BuildEvent[] = [];
  const positions: Array<number | undefined> = [];
  return {
    events,
    positions,
    emit: async (e, position) => {
      events.push(e);
      positions.push(position);
    },
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface KubeTestEnv {
  server: FakeKubeApiServer;
  kubeConfig: KubeConfig;
  log: Logger;
  logLines: string[];
  backend(over?: Partial<KubernetesBackendSettings>): KubernetesBuildBackend;
  close(): Promise<void>;
}

export async function startKubeTestEnv(): Promise<KubeTestEnv> {
  const server = new FakeKubeApiServer();
  const url = await server.start();
  const kubeConfig = kubeConfigFor(url);
  const { log, lines } = testLogger();
  const backends: KubernetesBuildBackend[] = [];
  return {
    server,
    kubeConfig,
    log,
    logLines: lines,
    backend(over = {}) {
      const b = new KubernetesBuildBackend({ kubeConfig, settings: testSettings(over), log });
      backends.push(b);
      return b;
    },
    async close() {
      await Promise.all(backends.map((b) => b.close()));
      await server.stop();
    },
  };
}

/** A repo2docker `--json-logs` line. */
export const r2d = (phase: string | undefined, message: string) =>
  JSON.stringify(phase ? { message, phase } : { message });

/** Starts one build on a fresh backend, recording its events: the usual start of a test. */
export function startBuild(env: KubeTestEnv, over: Partial<BuildJob> = {}) {
  const backend = env.backend();
  const req = buildRequest(over);
  const rec = recorder();
  const run = backend.run(req, rec.emit, new AbortController().signal);
  return { backend, req, name: req.job.buildName, rec, run };
}
