import { describe, expect, it } from 'vitest';
import { createProviders } from '../../../../api/providers/create-providers.js';
import { SpecError } from '../../../../api/providers/repo-provider.js';
import { parseConfig } from '../../../../queue/config/index.js';

const providers = createProviders(parseConfig({}), {
  fetch: () => Promise.reject(new Error('no network in unit tests')),
});
const create = (prefix: string, spec: string) => providers.get(prefix)!.create(spec);

describe('spec parsing', () => {
  it('gh: user/repo/ref with a ref that may contain /, .git stripped', () => {
    const p = create('gh', 'binder-examples/requirements.git/feature/x');
    expect(p.repoUrl()).toBe('https://github.com/binder-examples/requirements');
    expect(p.unresolvedRef).toBe('feature/x');
    expect(p.buildSlug('abc')).toBe('binder-examples-requirements');
    expect(p.resolvedSpec('abc')).toBe('binder-examples/requirements/abc');
    expect(p.refUrl('abc')).toBe('https://github.com/binder-examples/requirements/tree/abc');
  });

  it('gh: explains a spec without a ref, suggesting /HEAD', () => {
    expect(() => create('gh', 'org/repo')).toThrowError(
      'Spec is not of the form "user/repo/ref", provided: "org/repo". Did you mean "org/repo/HEAD"?',
    );
    expect(() => create('gh', 'org')).toThrowError(SpecError);
  });

  it.each([
    ['gh', 'org/re po/HEAD'],
    ['gh', 'org/repo/-ref'],
    ['gh', '../etc/HEAD'],
    ['gh', 'org/%ZZ/HEAD'],
    ['gh', `org/repo/${'a'.repeat(300)}`],
    ['gist', 'user'],
    ['gist', 'user/not-hex!'],
    ['gl', 'noslash'],
    ['gl', 'group%2Fproject/'],
    ['gl', 'onlygroup/HEAD'],
    ['git', 'https%3A%2F%2Fexample.com%2Frepo.git'],
    ['git', 'https%3A%2F%2Fexample.com%2Frepo.git/'],
    ['git', 'file%3A%2F%2F%2Ftmp%2Frepo/HEAD'],
    ['git', 'ext%3A%3Ash%20-c%20touch%20%2Ftmp%2Fpwned/HEAD'],
    ['git', '--upload-pack%3Dtouch%20%2Ftmp%2Fpwned/HEAD'],
    ['git', 'https%3A%2F%2Fexample.com%2Frepo.git/--upload-pack%3Dtouch'],
    ['git', 'not%20a%20url/HEAD'],
  ])('%s: refuses %s with a SpecError', (prefix, spec) => {
    expect(() => create(prefix, spec)).toThrowError(SpecError);
  });

  it('gl: url-encoded namespace, upstream slug', () => {
    const p = create('gl', 'gitlab-org%2Fgitlab-foss/HEAD');
    expect(p.repoUrl()).toBe('https://gitlab.com/gitlab-org/gitlab-foss.git');
    expect(p.buildSlug('abc')).toBe('gitlab_-org-gitlab_-foss');
    expect(p.resolvedSpec('abc')).toBe('gitlab-org%2Fgitlab-foss/abc');
  });

  it('git: url-encoded URL and ref; scp-like ssh rewritten', () => {
    const p = create('git', 'https%3A%2F%2Fexample.com%2Forg%2Frepo.git/v1.0');
    expect(p.repoUrl()).toBe('https://example.com/org/repo.git');
    expect(p.unresolvedRef).toBe('v1.0');
    expect(p.buildSlug('abc')).toBe('https://example.com/org/repo.git');
    expect(p.resolvedSpec('abc')).toBe('https%3A%2F%2Fexample.com%2Forg%2Frepo.git/abc');
    expect(create('git', 'git%40example.com%3Aorg%2Frepo.git/HEAD').repoUrl()).toBe(
      'ssh://git@example.com/org/repo.git',
    );
  });

  it('gist: optional ref defaults to HEAD', () => {
    const p = create('gist', 'someone/0123abcd');
    expect(p.unresolvedRef).toBe('HEAD');
    expect(p.repoUrl()).toBe('https://gist.github.com/someone/0123abcd.git');
    expect(p.buildSlug('abc')).toBe('0123abcd');
  });
});

describe('spec policy (banned_specs, allowed_specs, quotas)', () => {
  const config = parseConfig({
    BinderHub: { per_repo_quota: 10, per_repo_quota_higher: 100 },
    GitHubRepoProvider: {
      banned_specs: ['^evil/.*', 'spam/'],
      high_quota_specs: ['^popular/'],
      spec_config: [{ pattern: 'popular/special', config: { quota: 500 } }],
    },
    GitLabRepoProvider: { allowed_specs: ['^good%2F'] },
  });
  const reg = createProviders(config);
  const gh = reg.get('gh')!.policy;

  it('bans matches anchored at the start, case-insensitively', () => {
    expect(gh.isBanned('evil/repo/HEAD')).toBe(true);
    expect(gh.isBanned('EVIL/repo/HEAD')).toBe(true);
    expect(gh.isBanned('spam/repo/HEAD')).toBe(true);
    expect(gh.isBanned('good/spam/HEAD')).toBe(false);
  });

  it('admits only allowed specs when allowed_specs is set', () => {
    const gl = reg.get('gl')!.policy;
    expect(gl.isBanned('good%2Fproject/HEAD')).toBe(false);
    expect(gl.isBanned('other%2Fproject/HEAD')).toBe(true);
  });

  it('gives high-quota and spec_config quotas, the last match winning', () => {
    expect(gh.repoConfig('someone/repo/HEAD').quota).toBe(10);
    expect(gh.repoConfig('popular/repo/HEAD').quota).toBe(100);
    expect(gh.repoConfig('popular/special/HEAD').quota).toBe(500);
  });
});

describe('/api/repoproviders entries', () => {
  it('lists upstream’s providers in upstream’s order, then swhid', () => {
    expect([...providers.keys()]).toEqual([
      'gh',
      'gist',
      'gl',
      'git',
      'zenodo',
      'figshare',
      'hydroshare',
      'dataverse',
      'ckan',
      'swhid',
    ]);
  });

  it('serves the data providers’ display_config as upstream does', () => {
    const doi = { validateRegex: '10\\.\\d+\\/(.)+' };
    expect(providers.get('zenodo')!.displayConfig).toEqual({
      displayName: 'Zenodo DOI',
      id: 'zenodo',
      spec: doi,
      repo: {
        label: 'Zenodo DOI',
        placeholder: 'example: 10.5281/zenodo.3242074',
        urlEncode: false,
      },
      ref: { enabled: false },
    });
    expect(providers.get('ckan')!.displayConfig).toMatchObject({
      displayName: 'CKAN dataset',
      spec: { validateRegex: '[^/]+' },
      repo: { urlEncode: true },
      ref: { enabled: false },
    });
    for (const id of ['figshare', 'dataverse'])
      expect(providers.get(id)!.displayConfig.spec).toEqual(doi);
    expect(providers.get('hydroshare')!.displayConfig.repo.urlEncode).toBe(true);
    expect(providers.get('swhid')!.displayConfig.ref).toEqual({ enabled: false });
  });
});
