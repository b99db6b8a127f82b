import type { Counter } from 'prom-client';
import type { LaunchPoolConfig } from '../../queue/config/sections/launch-pool.js';
import type { SpecCount } from './launch-counts.js';
import type { PoolMetrics } from './pool-metrics.js';
import type { PoolEntry } from './pool-server.js';
import type { PoolStore } from './pool-store.js';

/** One pooled spec as the dashboard shows it. */
export interface PoolSpecStatus {
  spec: string;
  /** The image its servers run (the spec's current image when it is a target). */
  images: string[];
  ready: number;
  starting: number;
  /** Seconds since the oldest unclaimed server of it started (0: none). */
  oldest_seconds: number;
}

export interface PoolStatus {
  config: Pick<
    LaunchPoolConfig,
    'specs' | 'auto_top_k' | 'auto_size' | 'max_servers' | 'max_age' | 'refill_interval'
  >;
  specs: PoolSpecStatus[];
  /** Servers taken out whose hub users are being removed. */
  removing: number;
  /** Most launched specs over `auto_window` (what the automatic choice looks at). */
  top: SpecCount[];
  /** This api replica's counters since it started. */
  counters: {
    hits: number;
    misses: number;
    refills: Record<string, number>;
    evictions: Record<string, number>;
  };
}

export interface PoolStatusSource {
  config: LaunchPoolConfig;
  store: PoolStore;
  metrics: PoolMetrics;
  topSpecs(): Promise<SpecCount[]>;
}

async function byLabel<L extends string>(c: Counter<L>, label: L): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await c.get()).values) out[String(v.labels[label])] = v.value;
  return out;
}

function bySpec(entries: PoolEntry[], targets: Record<string, string>, now: number) {
  const specs = new Map<string, PoolSpecStatus>();
  const of = (spec: string) => {
    let s = specs.get(spec);
    if (!s) specs.set(spec, (s = { spec, images: [], ready: 0, starting: 0, oldest_seconds: 0 }));
    return s;
  };
  for (const [image, spec] of Object.entries(targets)) of(spec).images.push(image);
  for (const { state, server } of entries) {
    const s = of(server.spec);
    s[state] += 1;
    if (!s.images.includes(server.image)) s.images.push(server.image);
    s.oldest_seconds = Math.max(s.oldest_seconds, Math.round((now - server.startedAt) / 1000));
  }
  return [...specs.values()].sort((a, b) => (a.spec < b.spec ? -1 : 1));
}

/** What the pool holds now (from Redis), and this replica's counters. */
export async function readPoolStatus(
  pool: PoolStatusSource,
  now = Date.now(),
): Promise<PoolStatus> {
  const [entries, targets, removing, top, claims] = await Promise.all([
    pool.store.entries(),
    pool.store.targets(),
    pool.store.removing(),
    pool.topSpecs(),
    byLabel(pool.metrics.claims, 'outcome'),
  ]);
  const { specs, auto_top_k, auto_size, max_servers, max_age, refill_interval } = pool.config;
  return {
    config: { specs, auto_top_k, auto_size, max_servers, max_age, refill_interval },
    specs: bySpec(entries, targets, now),
    removing: Object.keys(removing).length,
    top,
    counters: {
      hits: claims.hit ?? 0,
      misses: claims.miss ?? 0,
      refills: await byLabel(pool.metrics.refills, 'outcome'),
      evictions: await byLabel(pool.metrics.evictions, 'reason'),
    },
  };
}
