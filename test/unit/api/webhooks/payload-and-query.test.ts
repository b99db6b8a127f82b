import { describe, expect, it } from 'vitest';
import { jobMatches, parseRepoQuery } from '../../../../api/builds-api/repo-query.js';
import { HttpError } from '../../../../api/http/http-error.js';
import { createNotice, pingWarnings, pushNotice } from '../../../../api/webhooks/github-payload.js';
import type { BuildJob } from '../../../../queue/index.js';
import { createTagPayload, fixture, pushPayload } from '../../../webhook/github-deliveries.js';

const meta = { event: 'push', deliveryId: 'd', receivedAt: 1 };
const sha = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';

describe('GitHub payloads', () => {
  it('reads the documented push payload', () => {
    expect(pushNotice(fixture('push'), meta)).toMatchObject({
      repo: 'octo-org/hello-binder',
      ref: 'refs/heads/main',
      sha,
      defaultBranch: 'main',
      deleted: false,
    });
  });

  it('takes a tag push commit from head_commit (after may be an annotated tag object)', () => {
    const p = { ...pushPayload({ repo: 'o/r', sha, ref: 'refs/tags/v1' }), after: 'f'.repeat(40) };
    expect(pushNotice(p, meta).sha).toBe(sha);
  });

  it('marks deletions', () => {
    const n = pushNotice(pushPayload({ repo: 'o/r', sha, deleted: true }), meta);
    expect(n).toMatchObject({ deleted: true, sha: null });
  });

  it('reads tag creations and leaves branch creations to the push event', () => {
    expect(createNotice(createTagPayload('o/r', 'v2'), meta)).toMatchObject({
      ref: 'refs/tags/v2',
      sha: null,
    });
    expect(createNotice({ ...createTagPayload('o/r', 'b'), ref_type: 'branch' }, meta)).toBeNull();
  });

  it('refuses malformed payloads with a 400 naming the field', () => {
    const bad = { ...fixture('push'), repository: { full_name: 'no slash' } };
    expect(() => pushNotice(bad, meta)).toThrow(HttpError);
    expect(() => pushNotice(bad, meta)).toThrow(/repository\.full_name/);
  });

  it('warns on ping when the hook would not send usable pushes', () => {
    expect(pingWarnings(fixture('ping'))).toEqual([]);
    const ping = fixture('ping') as { hook: Record<string, unknown> };
    const hook = { ...ping.hook, events: ['issues'], config: { content_type: 'form' } };
    expect(pingWarnings({ ...ping, hook })).toHaveLength(2);
  });
});

describe('GET /api/builds repo parameter', () => {
  const hosts = { github: 'github.com', gitlab: 'gitlab.com' };
  const job = (o: Partial<BuildJob>) =>
    ({ provider: 'gh', spec: 'o/r/HEAD', repoUrl: 'https://github.com/o/r', ...o }) as BuildJob;

  it('accepts owner/repo and GitHub, GitLab and other URLs', () => {
    expect(parseRepoQuery('o/r', hosts)).toEqual({ provider: 'gh', slug: 'o/r' });
    expect(parseRepoQuery('https://GitHub.com/o/r.git/', hosts)).toMatchObject({
      provider: 'gh',
      slug: 'o/r',
    });
    expect(parseRepoQuery('https://gitlab.com/g/sub/p', hosts)).toMatchObject({
      provider: 'gl',
      slug: 'g/sub/p',
    });
    expect(parseRepoQuery('http://127.0.0.1:9/repo.git', hosts)).toEqual({
      url: 'http://127.0.0.1:9/repo',
    });
    expect(() => parseRepoQuery('file:///etc', hosts)).toThrow(HttpError);
  });

  it('matches jobs by spec (any ref, any case) or by clone URL', () => {
    const q = parseRepoQuery('O/R', hosts);
    expect(jobMatches(q, job({}))).toBe(true);
    expect(jobMatches(q, job({ spec: 'o/r2/HEAD' }))).toBe(false);
    expect(jobMatches(q, job({ provider: 'gist' }))).toBe(false);
    const gl = parseRepoQuery('https://gitlab.com/g/p', hosts);
    expect(
      jobMatches(
        gl,
        job({ provider: 'gl', spec: 'g%2Fp/main', repoUrl: 'https://gitlab.com/g/p.git' }),
      ),
    ).toBe(true);
    const git = parseRepoQuery('http://127.0.0.1:9/repo.git', hosts);
    expect(
      jobMatches(
        git,
        job({ provider: 'git', spec: 'x/HEAD', repoUrl: 'http://127.0.0.1:9/repo.git' }),
      ),
    ).toBe(true);
  });
});
