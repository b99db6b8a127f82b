/**
 * A binderhub-ts api and a runner, each its own process (`bin/binderhub-ts`), against the
 * stack's Docker engine and hub, with what a fault test breaks swapped for its own: a
 * Redis, a registry. Pushes are counted by a proxy in front of the registry.
 *
 * The proxy listens on a new port each time, a registry the engine has never pushed to:
 * an image on the Jupyter base would upload its whole ~500 MB layer at every push. The
 * tests' Dockerfiles start `FROM` the tiny image instead (`tinyImage`), unless the test
 * launches the image.
 */
import { randomUUID } from 'node:crypto';
import {
  startCli,
  waitForOk,
  freePort,
  type CliProcess,
  type Sections,
} from '../helpers/cli-process.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy.js';
import { stackInfo } from '../helpers/stack.js';
import { ensureTinyImage } from '../helpers/tiny-image.js';

export interface FaultEnv {
  url: string;
  api: CliProcess;
  runner: CliProcess;
  keyPrefix: string;
  /** The tiny image in the engine the runners build on (tiny-image.ts): a base to push. */
  tinyImage: string;
  /** The registry as the engine and the api reach it (the counting proxy). */
  registry: FaultProxy;
  /** Manifest uploads the registry was sent: one per push. */
  pushes(): number;
  /** repo2docker processes the runners started. */
  repo2dockerRuns(): number;
  /** Starts one more runner (same queue, same work folder); it is closed with the rest. */
  startRunner(): Promise<CliProcess>;
  /** Everything the runners wrote. */
  runnerOutput(): string;
  close(): Promise<void>;
}

const merge = (a: Sections, b: Sections): Sections => {
  const out: Record<string, Record<string, unknown>> = {};
  for (const src of [a, b])
    for (const [k, v] of Object.entries(src)) out[k] = { ...out[k], ...(v as object) };
  return out as Sections;
};

export async function startFaultEnv(
  o: {
    redisUrl?: string;
    registryUrl?: string;
    registryFault?: Fault;
    /** Runners' DockerBuildExecutor.work_dir (shared by every runner started). */
    workDir?: string;
    config?: Sections;
  } = {},
): Promise<FaultEnv> {
  const s = stackInfo();
  const id = randomUUID().slice(0, 8);
  const registry = await startFaultProxy(
    o.registryUrl ?? s.registryUrl,
    o.registryFault ?? (() => false),
  );
  const port = await freePort();
  const config = merge(
    {
      BinderHub: {
        port,
        image_prefix: `${registry.url.replace(/^http:\/\//, '')}/binder-f${id}-`,
        log_level: 'info',
      },
      DockerRegistry: { url: registry.url },
      Runner: { metrics_port: 0, heartbeat_interval: 2 },
      ...(o.workDir ? { DockerBuildExecutor: { work_dir: o.workDir } } : {}),
      BuildQueue: { follow_check_interval: 5 },
      ...(o.redisUrl ? { Redis: { url: o.redisUrl, key_prefix: `test-${id}` } } : {}),
    },
    o.config ?? {},
  );
  const tinyImage = await ensureTinyImage(config.DockerBuildExecutor?.docker_host || s.dockerHost);
  const api = await startCli('api', config, { id });
  const runners: CliProcess[] = [];
  const startRunner = async () => {
    const r = await startCli('runner', config, { id });
    runners.push(r);
    for (let i = 0; i < 200 && !r.output().includes('runner started'); i++)
      await new Promise((done) => setTimeout(done, 100));
    return r;
  };
  const runner = await startRunner();
  const url = `http://127.0.0.1:${port}/`;
  await waitForOk(`${url}versions`, api);
  const runnerOutput = () => runners.map((r) => r.output()).join('\n');
  return {
    url,
    api,
    runner,
    keyPrefix: api.keyPrefix,
    tinyImage,
    registry,
    pushes: () => registry.seen.filter((r) => /^PUT \/v2\/.+\/manifests\//.test(r)).length,
    repo2dockerRuns: () => runnerOutput().split('"msg":"repo2docker started"').length - 1,
    startRunner,
    runnerOutput,
    async close() {
      for (const r of runners) await r.close();
      await api.close();
      await registry.close();
    },
  };
}
