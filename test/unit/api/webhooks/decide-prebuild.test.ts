import { describe, expect, it } from 'vitest';
import {
  decidePrebuild,
  prebuildRules,
  type RuleSettings,
} from '../../../../api/webhooks/decide-prebuild.js';
import { globToRegExp } from '../../../../api/webhooks/name-glob.js';
import type { PushNotice } from '../../../../api/webhooks/push-notice.js';

const settings: RuleSettings = {
  build_default_branch: true,
  branch_patterns: ['release/*', 'docs/**'],
  tag_patterns: ['v*'],
  allowed_repos: [],
  opt_out_repos: ['octo-org/private-*'],
};

const rules = (over: Partial<RuleSettings> = {}, banned: string[] = []) =>
  prebuildRules(
    { ...settings, ...over },
    {
      isBanned: (spec) => banned.some((b) => spec.startsWith(b)),
      specFor: (repo, ref) => `${repo}/${ref}`,
      webhookClass: 'GitHubWebhook',
      providerClass: 'GitHubRepoProvider',
    },
  );

const notice = (over: Partial<PushNotice> = {}): PushNotice => ({
  provider: 'gh',
  event: 'push',
  deliveryId: 'd1',
  repo: 'octo-org/hello',
  ref: 'refs/heads/main',
  sha: 'a'.repeat(40),
  defaultBranch: 'main',
  deleted: false,
  receivedAt: 0,
  ...over,
});

describe('globToRegExp', () => {
  it('matches within one segment with *, across segments with **', () => {
    expect(globToRegExp('release/*').test('release/1.x')).toBe(true);
    expect(globToRegExp('release/*').test('release/1.x/hotfix')).toBe(false);
    expect(globToRegExp('docs/**').test('docs/a/b')).toBe(true);
    expect(globToRegExp('v?.0').test('v2.0')).toBe(true);
    expect(globToRegExp('v1.0').test('v1x0')).toBe(false); // `.` is literal
    expect(globToRegExp('Org/*', true).test('org/Repo')).toBe(true);
  });
});

describe('decidePrebuild', () => {
  it('builds the default branch and configured branches and tags', () => {
    expect(decidePrebuild(notice(), rules())).toEqual({ build: true });
    expect(decidePrebuild(notice({ ref: 'refs/heads/release/2' }), rules()).build).toBe(true);
    expect(decidePrebuild(notice({ ref: 'refs/heads/docs/a/b' }), rules()).build).toBe(true);
    expect(decidePrebuild(notice({ ref: 'refs/tags/v1.2' }), rules()).build).toBe(true);
  });

  it('says why it does not build', () => {
    const reason = (n: PushNotice, r = rules()) => {
      const d = decidePrebuild(n, r);
      return d.build ? '' : d.reason;
    };
    expect(reason(notice({ ref: 'refs/heads/feature' }))).toBe(
      'branch feature is not the default branch (main) and matches no GitHubWebhook.branch_patterns',
    );
    expect(reason(notice(), rules({ build_default_branch: false }))).toBe(
      'branch main matches no GitHubWebhook.branch_patterns',
    );
    expect(reason(notice({ ref: 'refs/tags/nightly' }))).toMatch(/tag_patterns/);
    expect(reason(notice({ ref: 'refs/pull/1/head' }))).toMatch(/neither a branch nor a tag/);
    expect(reason(notice({ deleted: true, sha: null }))).toMatch(/deleted/);
    expect(reason(notice({ repo: 'octo-org/private-notes' }))).toMatch(/opt_out_repos/);
    expect(reason(notice(), rules({}, ['octo-org/hello/']))).toMatch(/banned_specs/);
    expect(reason(notice(), rules({ allowed_repos: ['other-org/*'] }))).toMatch(/allowed_repos/);
  });

  it('matches allowed and opted-out repositories case-insensitively', () => {
    expect(
      decidePrebuild(notice({ repo: 'Octo-Org/Hello' }), rules({ allowed_repos: ['octo-org/*'] }))
        .build,
    ).toBe(true);
    expect(decidePrebuild(notice({ repo: 'OCTO-ORG/PRIVATE-x' }), rules()).build).toBe(false);
  });
});
