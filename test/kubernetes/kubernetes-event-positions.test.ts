/**
 * Log lines carry a position (ns since the pod's creation, from the kubelet's
 * timestamps), so a runner that re-attaches and replays the log tail publishes those
 * lines with the same positions and the event bus keeps each line once. Real Redis
 * (the local stack's) holds the history; the Kubernetes API is the stand-in.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyNames, RedisEventBus, type BuildEvent } from '../../queue/index.js';
import { nanosSince } from '../../runners/kubernetes/log-timestamp.js';
import { stackInfo } from '../helpers/stack.js';
import {
  NS,
  buildRequest,
  r2d,
  recorder,
  startKubeTestEnv,
  waitFor,
  type KubeTestEnv,
} from './kube-test-env.js';

describe('positions of build events', () => {
  it('nanosSince counts nanoseconds from the origin, whatever the fraction width or zone', () => {
    const origin = Date.parse('2026-01-01T00:00:00Z');
    expect(nanosSince('2026-01-01T00:00:01.5Z', origin)).toBe(1_500_000_000);
    expect(nanosSince('2026-01-01T00:00:01.000000007Z', origin)).toBe(1_000_000_007);
    expect(nanosSince('2026-01-01T01:00:02+01:00', origin)).toBe(2_000_000_000);
    expect(nanosSince('not a time', origin)).toBeUndefined();
  });

  describe('with real Redis', () => {
    let env: KubeTestEnv;
    let redis: Redis;
    let bus: RedisEventBus;
    beforeAll(async () => {
      env = await startKubeTestEnv();
      redis = new Redis(stackInfo().redisUrl, { maxRetriesPerRequest: 1 });
      bus = new RedisEventBus({ redis, keys: keyNames(`test-${randomUUID()}`), maxHistory: 1000 });
    });
    afterAll(async () => {
      await env.close();
      await bus.close();
      redis.disconnect();
    });

    it('a re-attached runner’s replayed tail is kept once; every line in order', async () => {
      const req = buildRequest();
      const name = req.job.buildName;
      // what process-build does with a position
      const publish = (e: BuildEvent, position?: number) =>
        bus
          .publish(
            name,
            e,
            position === undefined ? undefined : { epochMs: req.job.requestedAt, seq: position },
          )
          .then(() => undefined);
      const first = recorder();
      const stop = new AbortController();
      const run1 = env
        .backend({ logTailLines: 3 })
        .run(req, (e, p) => first.emit(e, p).then(() => publish(e, p)), stop.signal);
      await waitFor('watching', () => env.server.openWatches() === 1);
      env.server.setPhase(NS, name, 'Pending', {
        containerStatuses: [
          { name: 'builder', state: { waiting: { reason: 'ImagePullBackOff', message: 'slow' } } },
        ],
      });
      await waitFor('waiting event', () => first.events.length === 1);
      env.server.setPhase(NS, name, 'Running', {
        containerStatuses: [{ name: 'builder', state: { running: {} } }],
      });
      env.server.log(NS, name, ...['a', 'b', 'c', 'd'].map((m) => r2d('building', `${m}\n`)));
      await waitFor('4 lines + waiting', () => first.events.length === 5);
      stop.abort();
      await run1.catch(() => undefined);

      const second = recorder();
      const run2 = env
        .backend({ logTailLines: 3 })
        .run(
          req,
          (e, p) => second.emit(e, p).then(() => publish(e, p)),
          new AbortController().signal,
        );
      await waitFor('tail', () => second.events.length === 3);
      env.server.log(NS, name, r2d('pushing', 'e\n'));
      await waitFor('e', () => second.events.length === 4);
      const firstLine = env.server.state.logLines(NS, name)[0]!;
      env.server.setPhase(NS, name, 'Succeeded');
      await run2;

      // the same lines got the same positions from both runners
      expect(second.positions.slice(0, 3)).toEqual(first.positions.slice(2, 5));
      const positions = [...first.positions, second.positions[3]] as number[];
      expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
      // the line positions are the kubelet times, in ns since the pod's creation
      const created = Date.parse(env.server.state.history[0]!.object.metadata.creationTimestamp);
      expect(first.positions[1]).toBe(nanosSince(firstLine.ts, created));
      expect(first.positions[0]).toBe(1); // the waiting event: before any line

      const history = (await bus.history(name)).map((h) => h.event.message);
      expect(history).toEqual([
        'Build pod is waiting: ImagePullBackOff (slow)\n',
        'a\n',
        'b\n',
        'c\n',
        'd\n',
        'e\n',
      ]);
    });
  });
});
