import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  BuildQueue,
  createRedis,
  keyNames,
  RedisEventBus,
  type BuildJob,
  type BuildResult,
  type KeyNames,
} from '../../queue/index.js';
import { stackInfo } from './stack.js';

export const REDIS_URL = process.env.REDIS_URL ?? stackInfo().redisUrl;

/** A build job for tests; `name` makes the build name unique. */
export function testJob(name: string, over: Partial<BuildJob> = {}): BuildJob {
  return {
    buildName: `build-${name}`,
    image: `127.0.0.1:5000/binder-${name}:0123456789ab`,
    provider: 'gh',
    providerName: 'GitHub',
    spec: `binder-examples/${name}/HEAD`,
    resolvedSpec: `binder-examples/${name}/0123456789abcdef0123456789abcdef01234567`,
    repoUrl: `https://github.com/binder-examples/${name}`,
    ref: '0123456789abcdef0123456789abcdef01234567',
    trigger: 'launch',
    requestedAt: Date.now(),
    ...over,
  };
}

export interface TestQueue {
  prefix: string;
  name: string;
  keys: KeyNames;
  redis: Redis;
  buildQueue: BuildQueue;
  bus: RedisEventBus;
  /** A real BullMQ worker on the queue, running `process` for each job. */
  worker(process: (job: Job<BuildJob, BuildResult>) => Promise<BuildResult>): Worker;
  close(): Promise<void>;
}

/** A real build queue under a unique Redis prefix and name; `close` deletes every key. */
export function testQueue(url = REDIS_URL): TestQueue {
  const prefix = `test-${randomUUID()}`;
  const name = `builds-${randomUUID().slice(0, 8)}`;
  const keys = keyNames(prefix);
  const redis = createRedis(url, 'command');
  const producer = createRedis(url, 'producer');
  const bus = new RedisEventBus({ redis, keys, maxHistory: 1000 });
  const buildQueue = new BuildQueue({
    name,
    prefix,
    connection: producer,
    bus,
    interactivePriority: 1,
    prebuildPriority: 10,
    keepCompleted: 100,
    keepFailed: 100,
  });
  // Tests stop Redis on purpose; the clients' reconnect errors are expected then.
  const quiet = () => undefined;
  redis.on('error', quiet);
  producer.on('error', quiet);
  buildQueue.bullmq.on('error', quiet);
  const workers: Worker[] = [];
  return {
    prefix,
    name,
    keys,
    redis,
    buildQueue,
    bus,
    worker(process) {
      const w = new Worker<BuildJob, BuildResult>(name, process, {
        connection: createRedis(url, 'worker'),
        prefix,
      });
      w.on('error', quiet);
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) await w.close(true);
      await buildQueue.bullmq.obliterate({ force: true }).catch(() => undefined);
      await buildQueue.close();
      await bus.close();
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        if (found.length) await redis.del(...found);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
      producer.disconnect();
    },
  };
}

/** Polls until `check` returns true (or throws after `ms`). */
export async function waitFor(check: () => Promise<boolean>, ms = 10_000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
