import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, keyNames, RedisEventBus } from '../../queue/index.js';
import { stackInfo } from '../helpers/stack.js';
import { eventBusContract } from './event-bus.contract.js';

// The event-bus contract against RedisEventBus on real Redis (the local stack's),
// isolated by a unique key prefix.
const url = stackInfo().redisUrl;

function redisBus(
  limits: ConstructorParameters<typeof RedisEventBus>[0] extends infer O
    ? Omit<O, 'redis' | 'keys' | 'subscriber'>
    : never,
) {
  const redis = createRedis(url, 'command');
  const keys = keyNames(`test-${randomUUID().slice(0, 8)}`);
  const bus = new RedisEventBus({
    redis,
    keys,
    ...limits,
    subscriber: () => createRedis(url, 'subscriber'),
  });
  const close = async () => {
    await bus.close();
    redis.disconnect();
  };
  return { bus, redis, keys, close };
}

eventBusContract('RedisEventBus (real Redis)', (limits) => {
  const r = redisBus(limits);
  return { bus: r.bus, subscriptions: () => r.bus.subscriptionCount, close: r.close };
});

describe('RedisEventBus on real Redis', () => {
  const r = redisBus({ maxHistory: 1000 });
  afterAll(() => r.close());

  it('holds one Redis subscription per build however many clients follow it', async () => {
    const build = 'build-fanout-redis';
    const stops = await Promise.all(
      Array.from({ length: 20 }, () => r.bus.follow(build, undefined, () => undefined)),
    );
    const numsub = (await r.redis.call('PUBSUB', 'NUMSUB', r.keys.buildChannel(build))) as [
      string,
      number,
    ];
    expect(Number(numsub[1])).toBe(1);
    stops.forEach((s) => s());
  });
});
