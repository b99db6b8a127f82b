import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream } from '../helpers/sse-client.js';

// banned_specs / allowed_specs through the real api: a spec encoded otherwise must not
// escape them. GitHub cannot run here: its API is a fetch that refuses.
const noGitHub: typeof fetch = () =>
  Promise.reject(new Error('GitHub is not reachable from tests'));
const sha = () => randomBytes(20).toString('hex');

async function firstEvent(url: string) {
  const ac = new AbortController();
  let first: { phase?: string; message?: string } | undefined;
  await readEventStream(url, {
    signal: ac.signal,
    onEvent: (e) => {
      first ??= e;
      ac.abort();
    },
  }).catch(() => undefined);
  return first;
}

describe('spec policies match the decoded, normalised spec', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      overrides: { providerFetch: noGitHub },
      config: {
        GitHubRepoProvider: { banned_specs: ['^evil-org/'] },
        GitRepoProvider: { allowed_specs: ['^http%3A%2F%2F127\\.0\\.0\\.1%3A9%2Fmy-org%2F'] },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('bans gh/%65vil-org/… like gh/evil-org/…', async () => {
    for (const spec of ['evil-org/repo/HEAD', '%65vil-org/repo/HEAD', 'Evil-Org/repo/HEAD']) {
      const e = await firstEvent(`${h.url}build/gh/${spec}`);
      expect(e, spec).toMatchObject({ phase: 'failed' });
      expect(e?.message).toMatch(/is not allowed to launch/);
    }
  });

  it('refuses a git URL that leaves the allowed namespace with ..', async () => {
    const escape = [
      'http://127.0.0.1:9/my-org/../other-org/repo.git',
      'http://127.0.0.1:9/my-org/%2e%2e/other-org/repo.git',
      'http://127.0.0.1:9/my-org\\..\\other-org/repo.git',
    ];
    for (const url of escape) {
      const e = await firstEvent(`${h.url}build/git/${encodeURIComponent(url)}/${sha()}`);
      // refused by the policy, or earlier by the URL policy (a URL not in canonical form)
      expect(e?.phase, url).toBe('failed');
      expect(e?.message, url).toMatch(/is not allowed to launch|Invalid git url/);
    }
    const allowed = 'http://127.0.0.1:9/my-org/repo.git';
    const e = await firstEvent(`${h.url}build/git/${encodeURIComponent(allowed)}/${sha()}`);
    expect(e?.phase).toBe('waiting');
  });
});
