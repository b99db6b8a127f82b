import type { Redis } from 'ioredis';
import type { CredentialProvider } from '../../queue/credentials/job-token.js';
import type { KeyNames } from '../../queue/index.js';
import type { OAuthSite } from './oauth-site.js';

/** A repository at a site: `owner/repo` (GitHub) or the project's path (GitLab). */
export interface SiteRepo {
  provider: CredentialProvider;
  /** As the site names it (case kept for its API). */
  path: string;
}

/** What a user's token says about a repository. */
export interface RepoVisibility {
  /** The token can read it. */
  readable: boolean;
  /** It is not public (GitHub `private`, GitLab `visibility` other than `public`). */
  private: boolean;
}

/** The site did not answer (network, 5xx): neither yes nor no. */
export class AccessCheckUnavailableError extends Error {
  override readonly name = 'AccessCheckUnavailableError';
}

export interface RepoAccessChecksOptions {
  redis: Redis;
  keys: KeyNames;
  sites: ReadonlyMap<CredentialProvider, OAuthSite>;
  /** Seconds an answer is reused per (user, repository). */
  ttlSeconds: number;
  fetch?: typeof fetch;
}

const repoKey = (r: SiteRepo) => `${r.provider}:${encodeURIComponent(r.path.toLowerCase())}`;

/**
 * Can this user's token read this repository? GitHub `GET /repos/{owner}/{repo}`,
 * GitLab `GET /projects/:id`, each answer kept `ttlSeconds` per (user, repository) in
 * Redis. Repositories found private are marked so (`markedPrivate`): their images are
 * launched only for users whose check says yes, while public ones need no check.
 */
export class RepoAccessChecks {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: RepoAccessChecksOptions) {
    this.fetchImpl = o.fetch ?? fetch;
  }

  private accessKey = (user: string, r: SiteRepo) =>
    this.o.keys.key('credentials', 'access', encodeURIComponent(user), repoKey(r));
  private privateKey = (r: SiteRepo) => this.o.keys.key('credentials', 'private', repoKey(r));

  async check(user: string, repo: SiteRepo, token: string): Promise<RepoVisibility> {
    const key = this.accessKey(user, repo);
    const cached = await this.o.redis.get(key);
    if (cached) return JSON.parse(cached) as RepoVisibility;
    const answer = await this.ask(repo, token);
    await this.o.redis.set(key, JSON.stringify(answer), 'EX', this.o.ttlSeconds);
    if (answer.readable) await this.mark(repo, answer.private);
    return answer;
  }

  /** Forgets a user's cached answers' basis: called when their token changes or goes. */
  async forget(user: string): Promise<void> {
    const pattern = this.o.keys.key('credentials', 'access', encodeURIComponent(user), '*');
    const stream = this.o.redis.scanStream({ match: pattern, count: 100 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length) await this.o.redis.del(...keys);
    }
  }

  async markedPrivate(repo: SiteRepo): Promise<boolean> {
    return (await this.o.redis.exists(this.privateKey(repo))) === 1;
  }

  private async mark(repo: SiteRepo, isPrivate: boolean): Promise<void> {
    if (isPrivate) await this.o.redis.set(this.privateKey(repo), '1');
    else await this.o.redis.del(this.privateKey(repo));
  }

  private async ask(repo: SiteRepo, token: string): Promise<RepoVisibility> {
    const site = this.o.sites.get(repo.provider);
    if (!site) return { readable: false, private: true };
    const url =
      repo.provider === 'github'
        ? `${site.apiUrl}/repos/${repo.path.split('/').map(encodeURIComponent).join('/')}`
        : `${site.apiUrl}/projects/${encodeURIComponent(repo.path)}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        headers: { authorization: `Bearer ${token}`, 'user-agent': 'BinderHub' },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new AccessCheckUnavailableError(
        `${site.name} is not reachable: ${(err as Error).message}`,
      );
    }
    if (res.status >= 500)
      throw new AccessCheckUnavailableError(`${site.name} answered ${res.status}`);
    if (!res.ok) return { readable: false, private: true };
    const body = (await res.json().catch(() => ({}))) as {
      private?: unknown;
      visibility?: unknown;
    };
    const isPrivate =
      repo.provider === 'github' ? body.private !== false : body.visibility !== 'public';
    return { readable: true, private: isPrivate };
  }
}
