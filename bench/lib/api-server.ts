/**
 * A bench's api, in a process of its own so its memory and CPU can be measured apart
 * from the clients': `node --expose-gc --import tsx bench/lib/api-server.ts '<options>'`,
 * started with an IPC channel by `startApiProcess` (api-process.ts). It runs the test
 * harness's api (no runner) against the real stack and answers stats/plan/close requests.
 */
import { planBuild } from '../../api/builds/build-plan.js';
import { DockerRegistry } from '../../api/registry/docker-registry.js';
import type { RedisEventBus } from '../../queue/index.js';
import { startHarness } from '../../test/helpers/binder-harness.js';
import type {
  ApiServerOptions,
  Plan,
  ReadyMessage,
  Reply,
  Request,
  Stats,
} from './api-messages.js';
import { apiCode } from './compiled-api.js';
import { InstantLauncher } from './instant-launcher.js';
import { deleteKeysUnder } from './redis-cleanup.js';
import { serveApp, type ServedApp } from './serve-app.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as ApiServerOptions;
const send = (m: unknown) => process.send?.(m);

const code = await apiCode();
const h = await startHarness({ runner: false, config: opts.config, startApi: code.startApi });
const deps = h.api.runtime.deps;
const launcher = new InstantLauncher();
const extra: ServedApp[] = [];
const ready: ReadyMessage = {
  type: 'ready',
  url: h.url,
  keyPrefix: h.config.Redis.key_prefix,
  queueName: h.config.BuildQueue.name,
  imagePrefix: h.config.BinderHub.image_prefix,
  code: code.label,
};
if (opts.instantLauncher) {
  const app = await serveApp({ ...deps, launcher });
  extra.push(app);
  ready.instantUrl = app.url;
}
if (opts.uncachedRegistry) {
  const url = h.config.DockerRegistry.url;
  const registry = {
    hasImage: (image: string, signal?: AbortSignal) =>
      new DockerRegistry({ url }).hasImage(image, signal),
  };
  const app = await serveApp({ ...deps, launcher, registry });
  extra.push(app);
  ready.uncachedUrl = app.url;
}

async function openStreams(): Promise<number> {
  const metric = await deps.metrics.openEventStreams.get();
  return metric.values[0]?.value ?? 0;
}

async function stats(): Promise<Stats> {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    subscriptions: (deps.bus as RedisEventBus).subscriptionCount,
    launches: launcher.calls,
    openStreams: await openStreams(),
  };
}

function plan(prefix: string, spec: string, ref: string): Plan {
  const entry = deps.providers.get(prefix);
  if (!entry) throw new Error(`no provider ${prefix}`);
  const p = planBuild(entry, entry.create(spec), ref, h.config.BinderHub.image_prefix, 'launch');
  return { image: p.image, buildName: p.job.buildName };
}

let closing: Promise<void> | undefined;
const close = (): Promise<void> => (closing ??= shutDown());

async function shutDown(): Promise<void> {
  for (const app of extra) await app.close();
  await deps.pool?.drain(60_000); // the warm pool's servers (launch-pool) go with the run
  await deps.buildQueue.bullmq.obliterate({ force: true }).catch(() => undefined);
  await deleteKeysUnder(deps.redis, h.config.Redis.key_prefix);
  await h.close();
}

async function handle(req: Request): Promise<unknown> {
  switch (req.type) {
    case 'stats':
      return stats();
    case 'plan':
      return plan(req.prefix, req.spec, req.ref);
    case 'close':
      await close();
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (req: Request) => {
  handle(req).then(
    (value) => send({ id: req.id, ok: true, value } satisfies Reply),
    (err: unknown) => send({ id: req.id, ok: false, error: String(err) } satisfies Reply),
  );
});
process.on('disconnect', () => void close().finally(() => process.exit(0)));
send(ready);
