import { describe, expect, it } from 'vitest';
import { SpecPolicy, type SpecPolicySettings } from '../../../../api/providers/spec-policy.js';

const quotas = { perRepo: 10, perRepoHigher: 100 };
const policy = (s: Partial<SpecPolicySettings>) =>
  new SpecPolicy(
    { banned_specs: [], allowed_specs: [], high_quota_specs: [], spec_config: [], ...s },
    quotas,
  );
const git = (url: string, ref = 'HEAD') => `${url}/${ref}`;

describe('banned_specs and allowed_specs match the spec the provider will use', () => {
  it('bans a spec however its characters are percent-encoded', () => {
    const p = policy({ banned_specs: ['^evil-org/'] });
    for (const spec of [
      'evil-org/r/HEAD',
      '%65vil-org/r/HEAD',
      '%65%76%69%6C-org/r/HEAD',
      'EVIL-ORG/r/HEAD',
    ]) {
      expect(p.isBanned(spec), spec).toBe(true);
    }
    expect(p.isBanned('good-org/r/HEAD')).toBe(false);
    expect(p.isBanned('good-org/evil-org/HEAD')).toBe(false);
  });

  it('keeps patterns written for the encoded form (git, gl) and for the decoded form', () => {
    const encoded = policy({ banned_specs: ['^https%3A%2F%2Fgithub\\.com%2Fevil-org%2F'] });
    const decoded = policy({ banned_specs: ['^https://github\\.com/evil-org/'] });
    for (const url of [
      'https%3A%2F%2Fgithub.com%2Fevil-org%2Frepo',
      'https%3a%2f%2fgithub.com%2fevil-org%2frepo',
      'https%3A%2F%2Fgithub.com%2F%65vil-org%2Frepo',
      'https%3A%2F%2Fgithub.com%2Fgood-org%2F..%2Fevil-org%2Frepo',
      'https%3A%2F%2FGitHub.com%2Fevil-org%2Frepo',
    ]) {
      expect(encoded.isBanned(git(url)), url).toBe(true);
      expect(decoded.isBanned(git(url)), url).toBe(true);
    }
    expect(encoded.isBanned(git('https%3A%2F%2Fgithub.com%2Fgood-org%2Frepo'))).toBe(false);
  });

  it('admits only specs whose canonical form an allowed pattern matches', () => {
    const p = policy({ allowed_specs: ['^https%3A%2F%2Fgit\\.example\\.org%2Fmy-org%2F'] });
    expect(p.isBanned(git('https%3A%2F%2Fgit.example.org%2Fmy-org%2Frepo.git'))).toBe(false);
    // The same repository, encoded differently, is still admitted.
    expect(p.isBanned(git('https%3A%2F%2Fgit.example.org%2F%6Dy-org%2Frepo.git'))).toBe(false);
    expect(p.isBanned(git('https%3a%2f%2fgit.example.org%2fmy-org%2frepo.git'))).toBe(false);
    for (const url of [
      'https%3A%2F%2Fgit.example.org%2Fmy-org%2F..%2Fother-org%2Frepo.git',
      'https%3A%2F%2Fgit.example.org%2Fmy-org%2F%2e%2e%2Fother-org%2Frepo.git',
      'https%3A%2F%2Fgit.example.org%2Fmy-org%2F.%2F..%2Fother-org%2Frepo.git',
      'https%3A%2F%2Fgit.example.org%2Fmy-org%5C..%5Cother-org%2Frepo.git',
      'https%3A%2F%2Fgit.example.org%2Fother-org%2Frepo.git',
    ]) {
      expect(p.isBanned(git(url)), url).toBe(true);
    }
  });

  it('normalises GitLab namespaces too', () => {
    const p = policy({ allowed_specs: ['^my-group%2F'] });
    expect(p.isBanned('my-group%2Fproject/HEAD')).toBe(false);
    expect(p.isBanned('my-group%2F..%2Fother%2Fproject/HEAD')).toBe(true);
  });

  it('refuses a spec that is not correctly percent-encoded when an allow-list is set', () => {
    expect(policy({ allowed_specs: ['^ok/'] }).isBanned('ok%zz/r/HEAD')).toBe(true);
    expect(policy({ banned_specs: ['^x/'] }).isBanned('ok%zz/r/HEAD')).toBe(false);
  });

  it('gives quotas and spec_config by the canonical form', () => {
    const p = policy({
      high_quota_specs: ['^big-org/'],
      spec_config: [{ pattern: '^big-org/special', config: { quota: 3 } }],
    });
    expect(p.repoConfig('%62ig-org/r/HEAD').quota).toBe(100);
    expect(p.repoConfig('big-org/%73pecial/HEAD').quota).toBe(3);
    expect(p.repoConfig('small-org/r/HEAD').quota).toBe(10);
  });
});
