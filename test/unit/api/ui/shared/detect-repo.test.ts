import { describe, expect, it } from 'vitest';
import { detectRepo, parseGitHubUrl } from '../../../../../api/ui/shared/detect-repo.js';

const providers = [
  { id: 'gh', detect: { regex: '^(https?://github.com/)?(?<repo>.*[^/])/?' } },
  { id: 'gist' },
  { id: 'git' },
];

describe('parseGitHubUrl', () => {
  it('splits repository, ref and path out of GitHub web URLs', () => {
    expect(parseGitHubUrl('https://github.com/binder-examples/requirements')).toEqual({
      repo: 'binder-examples/requirements',
    });
    expect(parseGitHubUrl('https://github.com/org/repo.git')).toEqual({ repo: 'org/repo' });
    expect(parseGitHubUrl('http://www.github.com/org/repo/')).toEqual({ repo: 'org/repo' });
    expect(parseGitHubUrl('https://github.com/org/repo/tree/abc')).toEqual({
      repo: 'org/repo',
      ref: 'abc',
    });
    expect(parseGitHubUrl('https://github.com/org/repo/blob/f00a783/dir/index.ipynb')).toEqual({
      repo: 'org/repo',
      ref: 'f00a783',
      path: 'dir/index.ipynb',
    });
    expect(parseGitHubUrl('https://github.com/org/repo/tree/main/docs/?tab=x#y')).toEqual({
      repo: 'org/repo',
      ref: 'main',
      path: 'docs',
    });
  });
  it('refuses other URLs and GitHub pages that are not code', () => {
    expect(parseGitHubUrl('https://gitlab.com/org/repo')).toBeNull();
    expect(parseGitHubUrl('https://github.com/org/repo/pulls')).toBeNull();
    expect(parseGitHubUrl('https://github.com/org')).toBeNull();
  });
});

describe('detectRepo', () => {
  it('switches to GitHub for a pasted GitHub URL, whatever provider is selected', () => {
    expect(
      detectRepo(providers, 'git', ' https://github.com/binder-examples/requirements '),
    ).toEqual({
      providerId: 'gh',
      repo: 'binder-examples/requirements',
    });
  });
  it("uses the selected provider's display_config detect regex", () => {
    expect(detectRepo(providers, 'gh', 'binder-examples/requirements/')).toEqual({
      providerId: 'gh',
      repo: 'binder-examples/requirements',
    });
  });
  it('recognises nothing for providers without detect, or without a GitHub provider', () => {
    expect(detectRepo(providers, 'gist', 'user/abc')).toBeNull();
    expect(detectRepo([{ id: 'git' }], 'git', 'https://github.com/org/repo')).toBeNull();
    expect(detectRepo(providers, 'gh', '   ')).toBeNull();
  });
  it('ignores a detect regex that does not compile', () => {
    expect(detectRepo([{ id: 'x', detect: { regex: '(' } }], 'x', 'a/b')).toBeNull();
  });
});

describe('detectRepo: pasted DOIs, SWHIDs and data repository pages', () => {
  const all = [
    ...providers,
    ...['zenodo', 'figshare', 'hydroshare', 'dataverse', 'ckan', 'swhid'].map((id) => ({ id })),
  ];
  const hs = '8f7c2f0341ef4180b0dbe97f59130756';
  const dir = '0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4';

  it.each([
    ['10.5281/zenodo.3242074', 'zenodo', '10.5281/zenodo.3242074'],
    ['https://doi.org/10.5281/zenodo.3242074', 'zenodo', '10.5281/zenodo.3242074'],
    ['doi:10.5281/ZENODO.3242074', 'zenodo', '10.5281/ZENODO.3242074'],
    ['https://zenodo.org/records/3242074', 'zenodo', '10.5281/zenodo.3242074'],
    ['https://sandbox.zenodo.org/record/12', 'zenodo', '10.5072/zenodo.12'],
    [
      'https://dx.doi.org/10.6084/m9.figshare.9782777.v1',
      'figshare',
      '10.6084/m9.figshare.9782777.v1',
    ],
    [
      'https://figshare.com/articles/dataset/binder/9782777/2',
      'figshare',
      '10.6084/m9.figshare.9782777.v2',
    ],
    [
      'https://figshare.com/articles/software/binder/9782777',
      'figshare',
      '10.6084/m9.figshare.9782777',
    ],
    [`https://www.hydroshare.org/resource/${hs}/`, 'hydroshare', hs],
    [`10.4211/hs.${hs}`, 'hydroshare', hs],
    ['https://doi.org/10.7910/DVN/TJCLKP', 'dataverse', '10.7910/DVN/TJCLKP'],
    [
      'https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP',
      'dataverse',
      '10.7910/DVN/TJCLKP',
    ],
    [
      'https://demo.ckan.org/dataset/sample-dataset-1',
      'ckan',
      'https://demo.ckan.org/dataset/sample-dataset-1',
    ],
    [`swh:1:dir:${dir}`, 'swhid', `swh:1:dir:${dir}`],
    [
      `swh:1:rev:${dir};origin=https://github.com/o/r;visit=swh:1:snp:${dir}`,
      'swhid',
      `swh:1:rev:${dir}`,
    ],
    [`https://archive.softwareheritage.org/swh:1:dir:${dir};origin=x`, 'swhid', `swh:1:dir:${dir}`],
  ])('%s → %s %s', (text, providerId, repo) => {
    expect(detectRepo(all, 'gh', text)).toEqual({ providerId, repo });
  });

  it('another DOI goes to the DOI provider selected, else Dataverse', () => {
    expect(detectRepo(all, 'figshare', '10.1234/abc')).toEqual({
      providerId: 'figshare',
      repo: '10.1234/abc',
    });
    expect(detectRepo(all, 'gh', '10.1234/abc')).toEqual({
      providerId: 'dataverse',
      repo: '10.1234/abc',
    });
  });

  it('only switches to registered providers; GitHub URLs still win', () => {
    expect(detectRepo(providers, 'gh', '10.5281/zenodo.3242074')?.providerId).toBe('gh');
    expect(detectRepo(all, 'zenodo', 'https://github.com/org/repo')?.providerId).toBe('gh');
    expect(detectRepo(all, 'git', 'https://example.org/org/repo.git')).toBeNull();
  });
});
