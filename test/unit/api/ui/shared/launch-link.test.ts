import { describe, expect, it } from 'vitest';
import { badgeImageUrl, badgeMarkup } from '../../../../../api/ui/shared/badge-markup.js';
import {
  effectiveRef,
  launchLink,
  publicBaseUrl,
  urlPathFor,
  type LinkProvider,
} from '../../../../../api/ui/shared/launch-link.js';

const gh: LinkProvider = {
  id: 'gh',
  repo: { urlEncode: false },
  ref: { enabled: true, default: 'HEAD' },
};
const git: LinkProvider = {
  id: 'git',
  repo: { urlEncode: true },
  ref: { enabled: true, default: 'HEAD' },
};
const zenodo: LinkProvider = { id: 'zenodo', repo: { urlEncode: false }, ref: { enabled: false } };
const noDefault: LinkProvider = { id: 'x', repo: { urlEncode: false }, ref: { enabled: true } };

describe('publicBaseUrl', () => {
  it('uses base_url on the page origin when badge_base_url is empty', () => {
    expect(publicBaseUrl('', '/', 'http://127.0.0.1:8585/')).toBe('http://127.0.0.1:8585/');
    expect(publicBaseUrl('', '/binder/', 'https://h.org/binder/v2/gh/a/b/HEAD?x=1')).toBe(
      'https://h.org/binder/',
    );
  });
  it('prefers badge_base_url and adds the trailing slash it needs', () => {
    expect(publicBaseUrl('https://mybinder.org', '/', 'http://internal/')).toBe(
      'https://mybinder.org/',
    );
    expect(publicBaseUrl('https://x.org/binder', '/', 'http://internal/')).toBe(
      'https://x.org/binder/',
    );
  });
});

describe('launchLink', () => {
  const base = 'https://binder.example.org/';
  it('builds upstream links for GitHub, with the default ref', () => {
    expect(launchLink(base, gh, 'binder-examples/requirements', '', '')).toBe(
      'https://binder.example.org/v2/gh/binder-examples/requirements/HEAD',
    );
    expect(launchLink(base, gh, 'org/repo', ' main ', '')).toBe(
      'https://binder.example.org/v2/gh/org/repo/main',
    );
  });
  it('percent-encodes the repository for urlEncode providers', () => {
    expect(launchLink(base, git, 'https://example.com/org/repo.git', 'v1', '')).toBe(
      'https://binder.example.org/v2/git/https%3A%2F%2Fexample.com%2Forg%2Frepo.git/v1',
    );
  });
  it('adds urlpath as a query parameter', () => {
    expect(launchLink(base, gh, 'org/repo', '', '/doc/tree/index.ipynb')).toBe(
      'https://binder.example.org/v2/gh/org/repo/HEAD?urlpath=%2Fdoc%2Ftree%2Findex.ipynb',
    );
  });
  it('leaves the ref out for providers without refs (upstream keeps the trailing slash)', () => {
    expect(launchLink(base, zenodo, '10.5281/zenodo.3242074', 'ignored', '')).toBe(
      'https://binder.example.org/v2/zenodo/10.5281/zenodo.3242074/',
    );
  });
  it('is null until the form is complete', () => {
    expect(launchLink(base, gh, '  ', 'main', '')).toBeNull();
    expect(launchLink(base, noDefault, 'org/repo', '', '')).toBeNull();
    expect(effectiveRef(noDefault, 'abc')).toBe('abc');
  });
});

describe('urlPathFor', () => {
  it('opens files in JupyterLab and passes URLs through', () => {
    expect(urlPathFor('file', 'index.ipynb')).toBe('/doc/tree/index.ipynb');
    expect(urlPathFor('file', '/notebooks/a b.ipynb')).toBe('/doc/tree/notebooks/a b.ipynb');
    expect(urlPathFor('url', '/rstudio')).toBe('/rstudio');
    expect(urlPathFor('file', '  ')).toBe('');
  });
});

describe('badgeMarkup', () => {
  const link = 'https://binder.example.org/v2/gh/org/repo/HEAD?urlpath=%2Fx&y=1';
  const image = badgeImageUrl('https://binder.example.org/');
  it('writes the badge image under the public base', () => {
    expect(image).toBe('https://binder.example.org/badge_logo.svg');
  });
  it('writes Markdown and reStructuredText as upstream', () => {
    expect(badgeMarkup('markdown', image, link)).toBe(`[![Binder](${image})](${link})`);
    expect(badgeMarkup('rst', image, link)).toBe(`.. image:: ${image}\n :target: ${link}`);
  });
  it('writes escaped HTML', () => {
    expect(badgeMarkup('html', image, link)).toBe(
      '<a href="https://binder.example.org/v2/gh/org/repo/HEAD?urlpath=%2Fx&amp;y=1"><img src="https://binder.example.org/badge_logo.svg" alt="Binder"></a>',
    );
  });
});
