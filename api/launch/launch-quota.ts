import type { HubClient } from './hub-client.js';

/** A launch refused by a quota; `status` is the label of `binderhub_launch_count`. */
export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
  constructor(
    message: string,
    readonly status: 'pod_quota' | 'repo_quota',
  ) {
    super(message);
  }
}

export interface QuotaCheck {
  image: string;
  repoUrl: string;
  /** Per-repository quota from the provider's policy (0 = none). */
  repoQuota: number;
}

/** Checked before a build and again before every launch. */
export interface LaunchQuota {
  check(q: QuotaCheck, signal: AbortSignal): Promise<void>;
}

interface HubUser {
  name?: string;
  servers?: Record<string, { user_options?: { image?: unknown } }>;
}

/** An image name without its tag: the per-repository quota counts every tag of a repository. */
export const withoutTag = (image: string) => image.replace(/:[^:/]*$/, '');

/**
 * Upstream's launch quotas, counted from JupyterHub itself (the source of truth for
 * running servers, on one machine or in a cluster): `LaunchQuota.total_quota` servers
 * in all (0 = maintenance mode), and the per-repository quota for servers of the same
 * image (any tag). The hub is asked only when a quota is set. Servers of `uncounted`
 * users (warm, unclaimed pool servers) do not count: the pool yields to real launches.
 */
export class HubLaunchQuota implements LaunchQuota {
  constructor(
    private readonly hub: HubClient,
    private readonly totalQuota: number | null,
    /** Users whose servers do not count (the warm pool's unclaimed servers). */
    private readonly uncounted: () => Promise<ReadonlySet<string>> = async () => new Set(),
  ) {}

  async check(q: QuotaCheck, signal: AbortSignal): Promise<void> {
    if (this.totalQuota === null && q.repoQuota <= 0) return;
    const [users, skip] = await Promise.all([this.activeUsers(signal), this.uncounted()]);
    const servers = users
      .filter((u) => u.name === undefined || !skip.has(u.name))
      .flatMap((u) => Object.values(u.servers ?? {}));
    if (this.totalQuota !== null && servers.length >= this.totalQuota) {
      throw new QuotaExceededError(
        'Too many users on this BinderHub! Try again soon.',
        'pod_quota',
      );
    }
    if (q.repoQuota > 0) {
      const target = withoutTag(q.image);
      const matching = servers.filter((s) => {
        const image = s.user_options?.image;
        return typeof image === 'string' && withoutTag(image) === target;
      }).length;
      if (matching >= q.repoQuota) {
        throw new QuotaExceededError(
          `Too many users running ${q.repoUrl}! Try again soon.`,
          'repo_quota',
        );
      }
    }
  }

  private async activeUsers(signal: AbortSignal): Promise<HubUser[]> {
    const out: HubUser[] = [];
    for (let offset = 0; offset < 100_000;) {
      const res = await this.hub.request(
        'GET',
        `users?state=active&limit=200&offset=${offset}`,
        undefined,
        signal,
        {
          accept: 'application/jupyterhub-pagination+json',
        },
      );
      const page = (await res.json()) as
        { items?: HubUser[]; _pagination?: { next?: { offset: number } | null } } | HubUser[];
      if (Array.isArray(page)) return [...out, ...page];
      out.push(...(page.items ?? []));
      const next = page._pagination?.next;
      if (!next) break;
      offset = next.offset;
    }
    return out;
  }
}
