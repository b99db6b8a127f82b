import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type RunningApi } from '../../api/start-api.js';
import type { ApiDepsOverrides } from '../../api/create-api-deps.js';
import { parseConfig, type Config, type ConfigInput } from '../../queue/config/index.js';
import { createLogger, keyNames, withTimeout, type Logger } from '../../queue/index.js';
import type { HostLookup } from '../../queue/url-policy/check-repo-host.js';
import { FakeLauncher, type FakeLauncherOptions } from '../../api/launch/fake-launcher.js';
import { FakeImageRegistry } from '../../api/registry/fake-image-registry.js';
import type { BuildBackend } from '../../runners/build-backend.js';
import { createBackend } from '../../runners/create-backend.js';
import { observerHooks } from '../../runners/metrics/observer-hooks.js';
import {
  startRunnerObservability,
  type RunnerObservability,
} from '../../runners/metrics/runner-observability.js';
import { startRunner, type Runner } from '../../runners/runner.js';
import { stackInfo } from './stack.js';

export interface Harness {
  config: Config;
  /** The configuration as a JSON file (YAML accepts JSON). */
  configFile: string;
  api: RunningApi;
  runner?: Runner;
  /** The runner's metrics/health server, heartbeat and build observer. */
  ops?: RunnerObservability;
  backend?: BuildBackend;
  /** `http://127.0.0.1:<port>/` */
  url: string;
  log: Logger;
  /** With `fakes`: the registry and launcher the api uses (the runner: `Runner.backend: fake`). */
  fakes?: { registry: FakeImageRegistry; launcher: FakeLauncher };
  /** Number of times the backend was asked to run a build. */
  readonly buildRuns: number;
  /** Delete the hub users the tests launched (by user URL). */
  stopServer(url: string): Promise<void>;
  close(): Promise<void>;
}

export type Sections = { [K in keyof ConfigInput]?: Partial<NonNullable<ConfigInput[K]>> };

/**
 * An api (and, unless `runner: false`, a runner with the docker backend) started
 * in-process against the real local stack, isolated from other tests by a unique Redis
 * key prefix, queue name and image prefix (so every test builds its images afresh).
 */
export async function startHarness(
  o: {
    config?: Sections;
    runner?: boolean;
    overrides?: ApiDepsOverrides;
    wrapBackend?: (b: BuildBackend) => BuildBackend;
    /** DNS the runner's URL policy uses (tests whose hosts cannot be resolved here). */
    runnerLookup?: HostLookup;
    /** Starts the api (benches pass the compiled `dist/` one). */
    startApi?: typeof startApi;
    /** Where api and runner log (default stdout), e.g. to look for secrets in the logs. */
    logDestination?: NodeJS.WritableStream;
    /**
     * The fakes in place of Docker, the registry and JupyterHub (docs/testing.md): the
     * runner's `Runner.backend: fake` (its script: `config.FakeBuildExecutor`), whose
     * pushed images appear in a FakeImageRegistry, and a FakeLauncher. Needs only Redis.
     */
    fakes?: boolean | { launcher?: Omit<FakeLauncherOptions, 'hubUrl'> };
  } = {},
): Promise<Harness> {
  const s = stackInfo();
  const id = randomUUID().slice(0, 8);
  const workDir = await mkdtemp(join(tmpdir(), 'bhts-builds-'));
  const base: Sections = {
    BinderHub: {
      port: 0,
      hub_url: s.hubUrl,
      hub_api_token: s.hubApiToken,
      image_prefix: `${s.imagePrefix}t${id}-`,
      enable_api_only_mode: true,
      log_level: (process.env.TEST_LOG_LEVEL as 'info' | undefined) ?? 'warn',
    },
    DockerRegistry: { url: s.registryUrl },
    Redis: { url: s.redisUrl, key_prefix: `test-${id}` },
    BuildQueue: { name: `builds-${id}` },
    DockerBuildExecutor: { repo2docker_path: s.repo2dockerPath, work_dir: workDir },
    // The guard stays on: test git servers listen on 127.0.0.1 (any port) and only that is allowed.
    GitRepoProvider: { allowed_private_hosts: ['127.0.0.1'] },
    Launcher: { retry_delay: 0.5 },
    // Tests send many requests from 127.0.0.1; the limiters have tests of their own.
    RateLimiter: {
      limit: 0,
      build_token_limit: 0,
      launch_page_limit: 0,
      builds_api_limit: 0,
      max_concurrent_streams: 0,
    },
  };
  const fakes = o.fakes
    ? {
        registry: new FakeImageRegistry(),
        launcher: new FakeLauncher({
          hubUrl: s.hubUrl,
          ...(typeof o.fakes === 'object' ? o.fakes.launcher : {}),
        }),
      }
    : undefined;
  if (fakes) base.Runner = { backend: 'fake' };
  const merged: Record<string, Record<string, unknown>> = {};
  for (const src of [base, o.config ?? {}]) {
    for (const [k, v] of Object.entries(src))
      merged[k] = { ...merged[k], ...(v as Record<string, unknown>) };
  }
  const config = parseConfig(merged);
  // The same configuration as a file, for processes a test starts itself (`binderhub-ts runner`).
  const configFile = join(workDir, 'config.json');
  await writeFile(configFile, JSON.stringify(merged));
  const log = createLogger({
    level: config.BinderHub.log_level,
    name: `test-${id}`,
    ...(o.logDestination ? { destination: o.logDestination } : {}),
  });
  const api = await (o.startApi ?? startApi)(config, log, {
    defaultMetrics: false,
    healthCacheMs: 0,
    ...fakes,
    ...o.overrides,
  });
  let runs = 0;
  let runner: Runner | undefined;
  let ops: RunnerObservability | undefined;
  let backend: BuildBackend | undefined;
  if (o.runner !== false) {
    const real = await createBackend(config, log);
    const counted: BuildBackend = {
      name: real.name,
      run: async (req, emit, signal) => {
        runs++;
        await real.run(req, emit, signal);
        // The fake backend's push: the image now exists for the api.
        if (fakes && req.push) fakes.registry.add(req.job.image);
      },
      builderInfo: () => real.builderInfo(),
      close: () => real.close(),
    };
    backend = o.wrapBackend ? o.wrapBackend(counted) : counted;
    ops = await startRunnerObservability({
      config,
      redis: api.runtime.deps.redis,
      keys: keyNames(config.Redis.key_prefix),
      log,
      port: 0,
      defaultMetrics: false,
    });
    runner = startRunner({
      config,
      backend,
      log,
      hooks: observerHooks(ops.observer),
      lookupHost: o.runnerLookup,
    });
  }
  const hubHeaders = { authorization: `token ${s.hubApiToken}` };
  return {
    config,
    configFile,
    api,
    runner,
    ops,
    backend,
    fakes,
    url: api.url,
    log,
    get buildRuns() {
      return runs;
    },
    async stopServer(serverUrl: string) {
      if (fakes) return;
      const user = /\/user\/([^/]+)\//.exec(serverUrl)?.[1];
      if (!user) return;
      await fetch(`${s.hubApiUrl}users/${user}/server`, { method: 'DELETE', headers: hubHeaders });
      await fetch(`${s.hubApiUrl}users/${user}`, { method: 'DELETE', headers: hubHeaders });
    },
    async close() {
      await runner?.close(true);
      await ops?.close();
      await withTimeout(
        api.runtime.deps.buildQueue.bullmq.obliterate({ force: true }),
        5000,
        'obliterate',
      ).catch(() => undefined);
      await api.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
