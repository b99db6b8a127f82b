/**
 * The real api app (createApiDeps + createApp) on an ephemeral loopback port, isolated
 * by a unique Redis key prefix and queue name, with direct access to the pre-build
 * scheduler so tests can wait until background work is done.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createApp } from '../../api/app.js';
import { createApiDeps, type ApiDepsOverrides } from '../../api/create-api-deps.js';
import { createPrebuilds, type Prebuilds } from '../../api/webhooks/create-prebuilds.js';
import { parseConfig, type Config, type ConfigInput } from '../../queue/config/index.js';
import { createLogger, type Logger } from '../../queue/index.js';
import type { AppDeps } from '../../api/app-deps.js';
import { stackInfo } from '../helpers/stack.js';

export type Sections = { [K in keyof ConfigInput]?: Partial<NonNullable<ConfigInput[K]>> };

export const SECRET = 'It is a secret to everybody: 7f0c6d1e';

export interface WebhookApp {
  config: Config;
  deps: AppDeps;
  prebuilds: Prebuilds;
  log: Logger;
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** `<url>hooks/github` */
  hookUrl: string;
  /** Counts of jobs in every state of the build queue. */
  jobCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function mergeSections(...all: Sections[]): Config {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const src of all) {
    for (const [k, v] of Object.entries(src))
      merged[k] = { ...merged[k], ...(v as Record<string, unknown>) };
  }
  return parseConfig(merged);
}

export async function startWebhookApp(
  o: { config?: Sections; overrides?: ApiDepsOverrides; promotePollMs?: number } = {},
): Promise<WebhookApp> {
  const id = randomUUID().slice(0, 8);
  const config = mergeSections(
    {
      BinderHub: { port: 0, image_prefix: `127.0.0.1:5000/binder-wh${id}-`, log_level: 'warn' },
      DockerRegistry: { url: 'http://127.0.0.1:5000' },
      Redis: { url: stackInfo().redisUrl, key_prefix: `test-${id}` },
      BuildQueue: { name: `test-${randomUUID()}` },
      GitHubWebhook: { secret: SECRET },
    },
    o.config ?? {},
  );
  const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'warn', name: `wh-${id}` });
  const runtime = createApiDeps(config, log, { defaultMetrics: false, ...o.overrides });
  const prebuilds = createPrebuilds(runtime.deps, {
    promotePollMs: o.promotePollMs ?? 100,
    registryRetryMs: [50],
  });
  const deps: AppDeps = { ...runtime.deps, prebuilds };
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}/`;
  const queue = deps.buildQueue.bullmq;
  return {
    config,
    deps,
    prebuilds,
    log,
    url,
    hookUrl: `${url}${config.GitHubWebhook.path.replace(/^\//, '')}`,
    jobCounts: () =>
      queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'),
    async close() {
      await prebuilds.scheduler.idle();
      prebuilds.scheduler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.obliterate({ force: true }).catch(() => undefined);
      const keys = await deps.redis.keys(`${config.Redis.key_prefix}:*`);
      if (keys.length > 0) await deps.redis.del(...keys);
      await runtime.close();
    },
  };
}

/** Sum of the counts: every job the queue holds. */
export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
