import { describe, expect, it } from 'vitest';
import { detectRepo, parseGitHubUrl } from '../../../api/ui/shared/detect-repo.js';

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
