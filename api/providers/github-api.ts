import { Octokit } from '@octokit/rest';
import { ResolveError } from './repo-provider.js';
import { TtlCache } from './ttl-cache.js';

export interface GitHubApiOptions {
  hostname: string;
  apiBasePath: string;
  accessToken: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  onRateLimitRemaining?: (remaining: number) => void;
}

interface Cached {
  etag: string;
  data: unknown;
}

/**
 * GitHub REST access shared by the `gh` and `gist` providers: one Octokit, conditional
 * requests (ETag → 304 answers reuse the cached body, and don't count against the rate
 * limit), a 5-minute cache of 404s, rate-limit exhaustion reported as a clear message.
 */
export class GitHubApi {
  readonly octokit: Octokit;
  private readonly cache = new TtlCache<Cached>(1024);
  private readonly cache404 = new TtlCache<true>(1024, 300_000);

  constructor(private readonly opts: GitHubApiOptions) {
    const baseUrl =
      opts.apiBasePath ||
      (opts.hostname === 'github.com' ? 'https://api.github.com' : `https://api.${opts.hostname}`);
    const basic =
      opts.clientId && opts.clientSecret
        ? `basic ${Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64')}`
        : undefined;
    this.octokit = new Octokit({
      baseUrl: baseUrl.replace(/\/+$/, ''),
      userAgent: 'BinderHub',
      ...(opts.accessToken ? { auth: opts.accessToken } : {}),
      request: {
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(basic ? { headers: { authorization: basic } } : {}),
      },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
  }

  /** GET a REST route; null for 404/422; cached by URL with ETags. */
  async get<T>(
    route: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<T | null> {
    const key = `${route} ${JSON.stringify(params)}`;
    if (this.cache404.get(key)) return null;
    const cached = this.cache.get(key);
    try {
      const res = await this.octokit.request(route, {
        ...params,
        headers: cached ? { 'if-none-match': cached.etag } : {},
        request: { signal },
      });
      this.noteRateLimit(res.headers as Record<string, unknown>);
      const etag = (res.headers as Record<string, unknown>).etag;
      if (typeof etag === 'string') this.cache.set(key, { etag, data: res.data });
      return res.data as T;
    } catch (err) {
      const e = err as {
        status?: number;
        response?: { headers?: Record<string, unknown> };
        message?: string;
      };
      if (e.response?.headers) this.noteRateLimit(e.response.headers);
      if (e.status === 304 && cached) return cached.data as T;
      if (e.status === 404 || e.status === 422) {
        this.cache404.set(key, true);
        return null;
      }
      if (
        (e.status === 403 || e.status === 429) &&
        String(e.response?.headers?.['x-ratelimit-remaining']) === '0'
      ) {
        const reset = Number(e.response?.headers?.['x-ratelimit-reset'] ?? 0);
        const seconds = Math.max(0, reset - Math.floor(Date.now() / 1000));
        const minutes = 5 * (1 + Math.floor(seconds / 60 / 5));
        throw new ResolveError(`GitHub rate limit exceeded. Try again in ${minutes} minutes.`);
      }
      if (signal?.aborted) throw err;
      throw new ResolveError(
        `GitHub API request failed: ${e.status ?? ''} ${e.message ?? String(err)}`.trim(),
      );
    }
  }

  private noteRateLimit(headers: Record<string, unknown>): void {
    const remaining = headers['x-ratelimit-remaining'];
    if (remaining !== undefined && this.opts.onRateLimitRemaining) {
      this.opts.onRateLimitRemaining(Number(remaining));
    }
  }
}
