import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../queue/config/index.js';
import { jobDisplayName } from '../../../../queue/build-job.js';
import { buildIdentity } from '../../../../queue/repo-specs/build-identity.js';
import { gitCredentialsFor } from '../../../../queue/repo-specs/git-credentials.js';
import { repoSpecFor } from '../../../../queue/repo-specs/repo-spec-for.js';
import { SpecError } from '../../../../queue/repo-specs/spec-error.js';
import { specForDisplay } from '../../../../queue/repo-specs/spec-display.js';

const config = parseConfig({});
const git = (url: string, ref = 'HEAD') =>
  repoSpecFor(config, 'git', `${encodeURIComponent(url)}/${ref}`)!;
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('credentials in a git repository URL', () => {
  const spec = git('https://someone:tok3n@git.example.org/org/r.git');

  it('are kept out of the repository URL, the slug, and image and build names', () => {
    expect(spec.repoUrl()).toBe('https://git.example.org/org/r.git');
    expect(spec.buildSlug(SHA)).toMatch(
      /^https:\/\/git\.example\.org\/org\/r\.git#credentials-[0-9a-f]{16}$/,
    );
    const id = buildIdentity(spec, SHA, 'registry.example/binder-');
    expect(JSON.stringify({ ...id, resolvedSpec: '' })).not.toMatch(/tok3n|someone/);
  });

  it('give another image than the URL without them, or with others', () => {
    const names = [
      spec,
      git('https://git.example.org/org/r.git'),
      git('https://someone:other@git.example.org/org/r.git'),
    ].map((s) => buildIdentity(s, SHA, '').image);
    expect(new Set(names).size).toBe(3);
  });

  it('reach git as credential lines, and stay in the spec the runner rebuilds them from', () => {
    expect(spec.urlCredentials()).toBe('username=someone\npassword=tok3n');
    expect(spec.resolvedSpec(SHA)).toBe(
      `${encodeURIComponent('https://someone:tok3n@git.example.org/org/r.git')}/${SHA}`,
    );
    expect(gitCredentialsFor(config, spec)).toBe('username=someone\npassword=tok3n');
  });

  it('are hidden wherever the spec is shown', () => {
    const shown = specForDisplay('git', spec.spec);
    expect(shown).not.toMatch(/tok3n|someone/);
    expect(decodeURIComponent(shown)).toBe('https://***@git.example.org/org/r.git/HEAD');
    const name = jobDisplayName({ provider: 'git', spec: spec.resolvedSpec(SHA), ref: SHA });
    expect(name).not.toContain('tok3n');
    expect(specForDisplay('gh', 'org/repo/HEAD')).toBe('org/repo/HEAD');
  });

  it('are refused where they cannot be credentials', () => {
    expect(() => git('ssh://git:pw@git.example.org/r.git')).toThrowError(/cannot carry a password/);
    expect(() => git('git://u:p@git.example.org/r.git')).toThrowError(/cannot carry credentials/);
    expect(() => git('https://u:p%0A@git.example.org/r.git')).toThrowError(SpecError);
    expect(git('ssh://git@git.example.org/r.git').repoUrl()).toBe(
      'ssh://git@git.example.org/r.git',
    );
  });
});

describe('configured git credentials (one function, the runner’s)', () => {
  const creds = (c: Record<string, unknown>, prefix: string, spec: string) =>
    gitCredentialsFor(parseConfig(c), repoSpecFor(parseConfig(c), prefix, spec)!);

  it('derive GitHub’s from the token, as upstream does', () => {
    const c = { GitHubRepoProvider: { access_token: 'ght' } };
    expect(creds(c, 'gh', 'org/repo/HEAD')).toBe('username=ght\npassword=x-oauth-basic');
    expect(creds(c, 'gist', 'someone/abc123')).toBe('username=ght\npassword=x-oauth-basic');
  });

  it('never send a GitHub Enterprise token to gist.github.com', () => {
    const c = { GitHubRepoProvider: { access_token: 'ght', hostname: 'ghe.example' } };
    expect(creds(c, 'gh', 'org/repo/HEAD')).toBe('username=ght\npassword=x-oauth-basic');
    expect(creds(c, 'gist', 'someone/abc123')).toBeUndefined();
  });

  it('give GitLab’s private token', () => {
    const c = { GitLabRepoProvider: { private_token: 'glp' } };
    expect(creds(c, 'gl', 'group%2Fproject/HEAD')).toBe('username=binderhub\npassword=glp');
  });

  it('give GitRepoProvider.git_credentials to the listed hosts only', () => {
    const c = {
      GitRepoProvider: {
        git_credentials: 'username=a\\npassword=b',
        git_credentials_hosts: ['git.example.org', 'other.example:8443'],
      },
    };
    const url = (u: string) => `${encodeURIComponent(u)}/HEAD`;
    expect(creds(c, 'git', url('https://git.example.org/r.git'))).toBe('username=a\npassword=b');
    expect(creds(c, 'git', url('https://other.example:8443/r.git'))).toBe('username=a\npassword=b');
    expect(creds(c, 'git', url('https://other.example/r.git'))).toBeUndefined();
    expect(creds(c, 'git', url('https://evil.example/r.git'))).toBeUndefined();
  });
});

describe('the URL policy settings', () => {
  it('refuses the removed allow_private_hosts: true, naming what replaces it', () => {
    expect(() => parseConfig({ GitRepoProvider: { allow_private_hosts: true } })).toThrowError(
      /GitRepoProvider.allow_private_hosts: was removed.*allowed_private_hosts/,
    );
    expect(parseConfig({ GitRepoProvider: { allow_private_hosts: false } })).toBeTruthy();
  });

  it('refuses git_credentials without the hosts they are for', () => {
    expect(() =>
      parseConfig({ GitRepoProvider: { git_credentials: 'username=a\\npassword=b' } }),
    ).toThrowError(
      /git_credentials_hosts: git_credentials is set but git_credentials_hosts is empty/,
    );
  });

  it('refuses an allow-list entry that is not a host, host:port or CIDR block', () => {
    expect(() =>
      parseConfig({ GitRepoProvider: { allowed_private_hosts: ['http://git.internal/'] } }),
    ).toThrowError(/allowed_private_hosts.0: must be a host, host:port or CIDR block/);
  });
});
