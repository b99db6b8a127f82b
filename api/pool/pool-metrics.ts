import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../../queue/index.js';
import { within } from '../health/within.js';
import type { PoolEntry } from './pool-server.js';

/** The warm pool's series, registered on the api's registry. */
export interface PoolMetrics {
  /** Claims by outcome: `hit` (a pooled server was handed out) or `miss` (launched normally). */
  claims: Counter<'outcome'>;
  /** Time a claim took (Redis, and the hub's word that the server is up). */
  claimSeconds: Histogram;
  /** Pool servers started, by outcome: success, failure, cancelled (shutdown). */
  refills: Counter<'outcome'>;
  /** Pool servers taken out unclaimed, by reason (pool-plan.ts EVICTION_REASONS). */
  evictions: Counter<'reason'>;
}

function registered<T>(registry: Registry, name: string, make: () => T): T {
  // The same registry may back several apps (tests): reuse what is registered.
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * Registers the pool's series. `binderhub_ts_pool_servers` is read from Redis when
 * Prometheus scrapes (every replica sees the same pool: aggregate it with `max`).
 */
export function poolMetrics(
  registry: Registry,
  entries: () => Promise<PoolEntry[]>,
  log: Logger,
): PoolMetrics {
  const registers = [registry];
  registered(registry, 'binderhub_ts_pool_servers', () => {
    return new Gauge({
      name: 'binderhub_ts_pool_servers',
      help: 'Unclaimed warm pool servers by spec and state (starting, ready)',
      labelNames: ['spec', 'state'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const { state, server } of await within(entries(), 3000, 'pool')) {
            this.inc({ spec: server.spec, state });
          }
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'pool metrics not read');
        }
      },
    });
  });
  return {
    claims: registered(registry, 'binderhub_ts_pool_claims_total', () => {
      return new Counter({
        name: 'binderhub_ts_pool_claims_total',
        help: 'Launches of pooled images by outcome: hit (served from the pool) or miss',
        labelNames: ['outcome'],
        registers,
      });
    }),
    claimSeconds: registered(registry, 'binderhub_ts_pool_claim_seconds', () => {
      return new Histogram({
        name: 'binderhub_ts_pool_claim_seconds',
        help: 'Time to claim a pooled server',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
        registers,
      });
    }),
    refills: registered(registry, 'binderhub_ts_pool_refills_total', () => {
      return new Counter({
        name: 'binderhub_ts_pool_refills_total',
        help: 'Warm pool servers started, by outcome',
        labelNames: ['outcome'],
        registers,
      });
    }),
    evictions: registered(registry, 'binderhub_ts_pool_evictions_total', () => {
      return new Counter({
        name: 'binderhub_ts_pool_evictions_total',
        help: 'Warm pool servers removed unclaimed, by reason',
        labelNames: ['reason'],
        registers,
      });
    }),
  };
}
