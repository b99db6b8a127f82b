import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createApiMetrics } from '../../api/metrics/api-metrics.js';
import { registerQueueMetrics } from '../../api/metrics/queue-metrics.js';
import { poolMetrics } from '../../api/pool/pool-metrics.js';
import { webhookMetrics } from '../../api/webhooks/webhook-metrics.js';
import { createLogger, createRedis } from '../../queue/index.js';
import { createRunnerMetrics } from '../../runners/metrics/runner-metrics.js';

const file = new URL('../../chart/dashboards/binderhub-ts.json', import.meta.url);

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

describe('the Grafana dashboard (chart/dashboards/binderhub-ts.json)', () => {
  it('queries only series that the api and the runners export', async () => {
    const dash = JSON.parse(await readFile(file, 'utf8')) as { uid: string; panels: Panel[] };
    expect(dash.uid).toBe('binderhub-ts');
    const api = createApiMetrics();
    webhookMetrics(api.registry);
    poolMetrics(api.registry, async () => [], createLogger({ level: 'silent' }));
    const redis = createRedis('redis://127.0.0.1:1', 'command', { lazyConnect: true });
    registerQueueMetrics({
      registry: api.registry,
      buildQueue: undefined as never, // never read: only the names are compared
      redis,
      runnersKey: 'x',
      heartbeatIntervalSeconds: 10,
      priorities: { interactive: 1, prebuild: 10 },
      log: createLogger({ level: 'silent' }),
    });
    const runner = createRunnerMetrics();
    const exported = new Set(
      [api.registry, runner.registry].flatMap((r) => r.getMetricsAsArray().map((m) => m.name)),
    );
    const used = new Set<string>();
    for (const p of dash.panels.filter((x) => x.type !== 'row')) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        for (const name of t.expr.match(/\b(?:binderhub|nodejs|process)_[a-z0-9_]+/g) ?? []) {
          // `binderhub_build_count` is a counter's own name, not a histogram's _count.
          const base = name.replace(/_(bucket|sum|count)$/, '');
          used.add(exported.has(name) ? name : base);
        }
      }
    }
    const missing = [...used].filter((n) => !exported.has(n));
    expect(missing).toEqual([]);
    for (const upstream of [
      'binderhub_build_time_seconds',
      'binderhub_launch_time_seconds',
      'binderhub_build_count',
      'binderhub_launch_count',
      'binderhub_inprogress_builds',
      'binderhub_inprogress_launches',
      'binderhub_github_rate_limit_remaining',
    ]) {
      expect(used, upstream).toContain(upstream);
    }
    redis.disconnect();
  });
});
