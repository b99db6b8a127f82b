import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createProviders } from '../../../../api/providers/create-providers.js';
import { ResolveError } from '../../../../api/providers/repo-provider.js';
import { parseConfig } from '../../../../queue/config/index.js';

// The GitHub API cannot be reached here: these tests replay responses in GitHub's
// documented format (test/fixtures/github), passed in as `fetch`.

interface Fixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function fixture(name: string): Fixture {
  const f = JSON.parse(
    readFileSync(new URL(`../../../fixtures/github/${name}.json`, import.meta.url), 'utf8'),
  ) as Fixture;
  const reset = f.headers['x-ratelimit-reset'];
  if (reset === 'RESET_IN_600_SECONDS')
    f.headers['x-ratelimit-reset'] = String(Math.floor(Date.now() / 1000) + 600);
  return f;
}

function replay(answer: (url: string, headers: Headers) => Fixture) {
  const calls: Array<{ url: string; headers: Headers }> = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init?.headers);
    calls.push({ url, headers });
    const f = answer(url, headers);
    return new Response(f.body === null ? null : JSON.stringify(f.body), {
      status: f.status,
      headers: f.headers,
    });
  }) as typeof fetch;
  return { fetchImpl, calls };
}

describe('GitHub provider against recorded API responses', () => {
  it('resolves a ref to the commit sha, then revalidates with the ETag (304 reuses the cache)', async () => {
    const { fetchImpl, calls } = replay((_url, headers) =>
      headers.get('if-none-match') ? fixture('commit-not-modified') : fixture('commit-head'),
    );
    const remaining: number[] = [];
    const providers = createProviders(
      parseConfig({ GitHubRepoProvider: { access_token: 'ghp_test' } }),
      {
        fetch: fetchImpl,
        onGitHubRateLimit: (n) => remaining.push(n),
      },
    );
    const first = await providers
      .get('gh')!
      .create('binder-examples/requirements/HEAD')
      .resolveRef();
    const second = await providers
      .get('gh')!
      .create('binder-examples/requirements/HEAD')
      .resolveRef();
    expect(first).toBe('9fa58ed0a5b2a7a3b2d1c0e9f8a7b6c5d4e3f2a1');
    expect(second).toBe(first);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.url).toBe(
      'https://api.github.com/repos/binder-examples/requirements/commits/HEAD',
    );
    expect(calls[0]!.headers.get('authorization')).toBe('token ghp_test');
    expect(calls[1]!.headers.get('if-none-match')).toBe('W/"6f2b3c1d9a0e4b7c8d5e2f1a3b4c5d6e"');
    expect(remaining).toContain(4999);
  });

  it('answers null for a missing ref, and caches the 404', async () => {
    const { fetchImpl, calls } = replay(() => fixture('commit-not-found'));
    const providers = createProviders(parseConfig({}), { fetch: fetchImpl });
    const gh = providers.get('gh')!;
    expect(await gh.create('binder-examples/requirements/no-such-branch').resolveRef()).toBeNull();
    expect(await gh.create('binder-examples/requirements/no-such-branch').resolveRef()).toBeNull();
    expect(calls).toHaveLength(1);
  });

  it('reports an exhausted rate limit as a clear message', async () => {
    const { fetchImpl } = replay(() => fixture('rate-limited'));
    const providers = createProviders(parseConfig({}), { fetch: fetchImpl });
    const p = providers.get('gh')!.create('binder-examples/requirements/HEAD');
    await expect(p.resolveRef()).rejects.toThrowError(ResolveError);
    await expect(p.resolveRef()).rejects.toThrowError(
      'GitHub rate limit exceeded. Try again in 15 minutes.',
    );
  });

  it('uses GitHubRepoProvider.api_base_path for GitHub Enterprise and encodes path segments', async () => {
    const { fetchImpl, calls } = replay(() => fixture('commit-head'));
    const providers = createProviders(
      parseConfig({
        GitHubRepoProvider: {
          hostname: 'ghe.example',
          api_base_path: 'https://ghe.example/api/v3',
        },
      }),
      { fetch: fetchImpl },
    );
    const p = providers.get('gh')!.create('org/repo/feature%2Fx');
    await p.resolveRef();
    expect(calls[0]!.url).toBe('https://ghe.example/api/v3/repos/org/repo/commits/feature%2Fx');
    expect(p.repoUrl()).toBe('https://ghe.example/org/repo');
  });
});
