import type { LaunchRequest } from '../launch/launcher.js';
import type { PoolEntry, PoolServer } from './pool-server.js';

/** A spec the pool should keep servers for, resolved (or not) to its current image. */
export interface PoolTarget {
  /** `<prefix>/<spec>` */
  spec: string;
  size: number;
  /** Its current image; undefined when it could not be resolved now (keep what it has). */
  image?: string;
  /** The image exists (servers may be started); false while a new commit is unbuilt. */
  built: boolean;
  /** How a launch of it asks the hub (to start servers). */
  request?: LaunchRequest;
  /** Its per-repository launch quota (0: none). */
  repoQuota?: number;
  /** `size` was lowered to leave the repository's quota to real launches. */
  quotaCapped?: boolean;
}

export const EVICTION_REASONS = [
  'orphaned', // its starter (an api replica) went away mid-start
  'gone', // the hub has no ready server for it (stopped, culled)
  'max_age', // older than LaunchPool.max_age
  'image_changed', // its spec now resolves to another image (a new commit)
  'unwanted', // its spec is no longer pooled
  'excess', // more than its spec's size, or than LaunchPool.max_servers
  'quota', // the launch quota needs the room for real launches
  'rebuilt', // a forced rebuild replaced its image under the same name
] as const;
export type EvictionReason = (typeof EVICTION_REASONS)[number];

export interface PoolPlanInput {
  targets: PoolTarget[];
  entries: PoolEntry[];
  /** Pool servers allowed now: LaunchPool.max_servers, or less to leave the quota to launches. */
  capacity: number;
  /** The capacity is below max_servers because of the launch quota. */
  quotaBound: boolean;
  /** Owners (api replicas) whose lease is alive. */
  liveOwners: ReadonlySet<string>;
  /** Users with a ready server in the hub; undefined when the hub could not be asked. */
  hubReady?: ReadonlySet<string>;
  maxAgeMs: number;
  now: number;
}

export interface PoolPlan {
  evict: Array<{ server: PoolServer; reason: EvictionReason }>;
  start: Array<{ target: PoolTarget; count: number }>;
}

function staleReason(e: PoolEntry, input: PoolPlanInput): EvictionReason | undefined {
  const { server } = e;
  if (e.state === 'starting') return input.liveOwners.has(server.owner) ? undefined : 'orphaned';
  if (input.hubReady && !input.hubReady.has(server.user)) return 'gone';
  if (input.now - server.startedAt > input.maxAgeMs) return 'max_age';
  return undefined;
}

/** Entries to keep, grouped by image (or by spec, for targets not resolved now). */
function sortOut(input: PoolPlanInput, plan: PoolPlan): Map<string, PoolEntry[]> {
  const images = new Set(input.targets.flatMap((t) => (t.image ? [t.image] : [])));
  const unresolved = new Set(input.targets.filter((t) => !t.image).map((t) => t.spec));
  const targetSpecs = new Set(input.targets.map((t) => t.spec));
  const kept = new Map<string, PoolEntry[]>();
  for (const e of input.entries) {
    const { server } = e;
    let reason = staleReason(e, input);
    let group: string | undefined;
    if (!reason) {
      if (images.has(server.image)) group = server.image;
      else if (unresolved.has(server.spec)) group = `spec:${server.spec}`;
      else reason = targetSpecs.has(server.spec) ? 'image_changed' : 'unwanted';
    }
    if (reason) plan.evict.push({ server, reason });
    else kept.set(group!, [...(kept.get(group!) ?? []), e]);
  }
  return kept;
}

/** Ready servers first (youngest first), then starting ones: the first `n` are kept. */
function keepOrder(entries: PoolEntry[]): PoolEntry[] {
  return [...entries].sort((a, b) =>
    a.state !== b.state ? (a.state === 'ready' ? -1 : 1) : b.server.startedAt - a.server.startedAt,
  );
}

/**
 * What the pool should do now (pure): which servers to take out, and how many to start
 * for which target. Targets come in priority order (explicit specs, then the most
 * launched); several specs of one image share its servers (the largest size counts).
 */
export function planPool(input: PoolPlanInput): PoolPlan {
  const plan: PoolPlan = { evict: [], start: [] };
  const kept = sortOut(input, plan);
  const wants = new Map<string, { target: PoolTarget; size: number }>();
  for (const t of input.targets) {
    const group = t.image ?? `spec:${t.spec}`;
    const size = t.image && !t.built ? 0 : t.size;
    const seen = wants.get(group);
    if (!seen || seen.size < size) wants.set(group, { target: seen?.target ?? t, size });
  }
  let room = input.capacity;
  for (const [group, { target, size }] of wants) {
    const entries = keepOrder(kept.get(group) ?? []);
    const keep = Math.min(entries.length, size, Math.max(0, room));
    for (const [i, e] of entries.entries()) {
      if (i < keep) continue;
      const quota = i < size ? input.quotaBound : target.quotaCapped === true;
      const reason = quota ? 'quota' : 'excess';
      plan.evict.push({ server: e.server, reason });
    }
    room -= keep;
    const missing = Math.min(size - keep, room);
    if (missing > 0 && target.image && target.built && target.request) {
      plan.start.push({ target, count: missing });
      room -= missing;
    }
  }
  return plan;
}
