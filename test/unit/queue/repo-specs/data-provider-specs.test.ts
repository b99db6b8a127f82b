import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../queue/config/index.js';
import { buildIdentity } from '../../../../queue/repo-specs/build-identity.js';
import { repoSpecFor } from '../../../../queue/repo-specs/repo-spec-for.js';
import { SpecError } from '../../../../queue/repo-specs/spec-error.js';

const config = parseConfig({});
const spec = (prefix: string, s: string) => repoSpecFor(config, prefix, s)!;
const PREFIX = 'registry.example/binder-';

// Expected names computed with upstream's own `_safe_build_slug` / `_generate_build_name`
// (binderhub/builder.py at b9fad995, run with escapism 1.1.0) and its providers' slug
// rules, for these specs at these resolved refs.
const UPSTREAM: Array<[string, string, string, string, string]> = [
  [
    'zenodo',
    '10.5281/zenodo.3242074',
    '3242074',
    'registry.example/binder-zenodo-2d3242074-b993d2:3242074',
    'build-zenodo-2d3242074-b993d2-324-ea',
  ],
  [
    'figshare',
    '10.6084/m9.figshare.9782777',
    '9782777.v3',
    'registry.example/binder-figshare-2d9782777-2ev3-cf7eea:9782777.v3',
    'build-figshare-2d9782777-2ev3-cf7eea-978-60',
  ],
  [
    'hydroshare',
    'https%3A%2F%2Fwww.hydroshare.org%2Fresource%2F8f7c2f0341ef4180b0dbe97f59130756%2F',
    '8f7c2f0341ef4180b0dbe97f59130756.v1709288430',
    'registry.example/binder-hydroshare-2d8f7c2f0341ef4180b0dbe97f59130756-2ev1709288430-43254a:8f7c2f0341ef4180b0dbe97f59130756.v1709288430',
    'build-hydroshare-2d8f7c2f0341ef4180b0dbe97f591307-43254a-8f7-ef',
  ],
  [
    'dataverse',
    '10.7910/DVN/TJCLKP',
    '3035124.v3.0',
    'registry.example/binder-dataverse-2ddvn-2d2ftjclkp-a1371f:3035124.v3.0',
    'build-dataverse-2ddvn-2d2ftjclkp-a1371f-303-21',
  ],
  [
    'ckan',
    'https%3A%2F%2Fdemo.ckan.org%2Fdataset%2Fsample_dataset-1',
    'sample_dataset-1.v1709288430',
    'registry.example/binder-ckan-2dsample-5fdataset-2d1-9964be:sample-dataset-1.v1709288430',
    'build-ckan-2dsample-5fdataset-2d1-9964be-sam-f3',
  ],
  [
    'swhid',
    'swh:1:dir:0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4',
    '0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4',
    'registry.example/binder-swhid-2d0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4-16c91f:0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4',
    'build-swhid-2d0aa13ae45d36ed6ec6706a6e6ed6b95bdea-16c91f-0aa-36',
  ],
];

describe('data provider image and build names', () => {
  it.each(UPSTREAM)(
    '%s %s at %s: upstream’s image and build name',
    (prefix, s, ref, image, build) => {
      const id = buildIdentity(spec(prefix, s), ref, PREFIX);
      expect(id.image).toBe(image);
      expect(id.buildName).toBe(build);
      expect(id.buildName.length).toBeLessThanOrEqual(63);
    },
  );
});

describe('data provider specs', () => {
  it('zenodo: upstream’s resolved spec, repo URL (the DOI) and ref URL', () => {
    const z = spec('zenodo', '10.5281/zenodo.3242073');
    expect(z.repoUrl()).toBe('10.5281/zenodo.3242073');
    expect(z.resolvedSpec('3242074')).toBe('10.5281/zenodo.3242074');
    expect(z.refUrl('3242074')).toBe('https://doi.org/10.5281/zenodo.3242074');
    expect(z.isResolvedRef('3242074')).toBe(true);
    expect(z.isResolvedRef('3242074.v1')).toBe(false);
    expect(() => spec('zenodo', '10.5281/figshare.1')).toThrowError(
      'Unexpected zenodo doi: 10.5281/figshare.1',
    );
  });

  it('figshare: versioned and unversioned DOIs; the ref must be this article (and version)', () => {
    const f = spec('figshare', '10.6084/m9.figshare.9782777');
    expect(f.resolvedSpec('9782777.v3')).toBe('10.6084/m9.figshare.9782777.v3');
    expect(f.refUrl('9782777.v3')).toBe('https://doi.org/10.6084/m9.figshare.9782777.v3');
    expect(f.isResolvedRef('9782777.v3')).toBe(true);
    expect(f.isResolvedRef('1111111.v3')).toBe(false);
    const v1 = spec('figshare', '10.6084/m9.figshare.9782777.v1');
    expect(v1.resolvedSpec('9782777.v1')).toBe('10.6084/m9.figshare.9782777.v1');
    expect(v1.isResolvedRef('9782777.v1')).toBe(true);
    expect(v1.isResolvedRef('9782777.v2')).toBe(false);
    expect(() => spec('figshare', '10.6084/m9.9782777')).toThrowError(
      'Unexpected figshare doi: 10.6084/m9.9782777',
    );
  });

  it('hydroshare: the resource id from an id, a URL or a DOI; upstream’s message otherwise', () => {
    const id = '8f7c2f0341ef4180b0dbe97f59130756';
    for (const s of [
      id,
      `10.4211%2Fhs.${id}`,
      `https%3A%2F%2Fwww.hydroshare.org%2Fresource%2F${id}%2F`,
    ]) {
      const h = spec('hydroshare', s);
      expect(h.repoUrl()).toBe(`https://www.hydroshare.org/resource/${id}`);
      expect(h.resolvedSpec(`${id}.v1`)).toBe(h.repoUrl());
      expect(h.refUrl(`${id}.v1`)).toBe(h.repoUrl());
      expect(h.isResolvedRef(`${id}.v1709288430`)).toBe(true);
    }
    expect(() => spec('hydroshare', 'not-a-resource')).toThrowError(
      'The specified Hydroshare resource id was not recognized.',
    );
    const local = repoSpecFor(
      parseConfig({ HydroshareProvider: { url: 'http://127.0.0.1:8/' } }),
      'hydroshare',
      id,
    )!;
    expect(local.repoUrl()).toBe(`http://127.0.0.1:8/resource/${id}`);
  });

  it('dataverse: the DOI is the repo URL and resolved spec; the slug escapes the identifier', () => {
    const d = spec('dataverse', '10.7910/DVN/TJCLKP');
    expect(d.repoUrl()).toBe('10.7910/DVN/TJCLKP');
    expect(d.resolvedSpec('3035124.v3.0')).toBe('10.7910/DVN/TJCLKP');
    expect(d.refUrl('3035124.v3.0')).toBe('https://doi.org/10.7910/DVN/TJCLKP');
    expect(d.buildSlug('3035124.v3.0')).toBe('dataverse-dvn-2ftjclkp');
    expect(d.isResolvedRef('3035124.v3.0')).toBe(true);
    expect(d.isResolvedRef('3035124')).toBe(false);
  });

  it('ckan: the unquoted dataset URL (site under a path prefix, activity ids)', () => {
    const c = spec(
      'ckan',
      encodeURIComponent('https://data.example.org/portal/dataset/my-data/history/a1b2'),
    );
    expect(c.repoUrl()).toBe('https://data.example.org/portal/dataset/my-data/history/a1b2');
    expect(c.resolvedSpec('my-data.v1')).toBe(c.repoUrl());
    expect(c.buildSlug('my-data.v1')).toBe('ckan-my-data');
    expect(c.isResolvedRef('my-data.v1709288430')).toBe(true);
    expect(c.isResolvedRef('other.v1709288430')).toBe(false);
    const q = spec('ckan', encodeURIComponent('https://demo.ckan.org/dataset/d1?activity_id=x9'));
    expect(q.buildSlug('')).toBe('ckan-d1');
  });

  it('swhid: directories and revisions, qualifiers ignored; the ref is the directory', () => {
    const dir = '0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4';
    const rev = '1479e0252b2e648bb755ee913292b79495931717';
    const s = spec(
      'swhid',
      `swh:1:rev:${rev};origin=https://github.com/org/repo;visit=swh:1:snp:${dir}`,
    );
    expect(s.repoUrl()).toBe(`swh:1:rev:${rev}`);
    expect(s.resolvedSpec(dir)).toBe(`swh:1:dir:${dir}`);
    expect(s.refUrl(dir)).toBe(`https://archive.softwareheritage.org/swh:1:dir:${dir}`);
    expect(s.isResolvedRef(dir)).toBe(true);
    const d = spec('swhid', `swh%3A1%3Adir%3A${dir}`);
    expect(d.isResolvedRef(dir)).toBe(true);
    expect(d.isResolvedRef(rev)).toBe(false);
  });

  it.each([
    ['zenodo', 'zenodo.3242074'],
    ['zenodo', 'doi:10.5281/zenodo.3242074'],
    ['zenodo', '10.5281/zenodo.3242074%20'],
    ['figshare', '10.6084/m9.figshare.abc'],
    ['dataverse', '10.7910'],
    ['dataverse', '10.7910/DVN/TJCLKP"><script>'],
    ['ckan', encodeURIComponent('file:///etc/dataset/x')],
    ['ckan', encodeURIComponent('https://demo.ckan.org/group/x')],
    ['ckan', encodeURIComponent('https://user:pw@demo.ckan.org/dataset/x')],
    ['ckan', encodeURIComponent('https://demo.ckan.org/dataset/x/../y')],
    ['ckan', encodeURIComponent('https://demo.ckan.org/dataset/x y')],
    ['ckan', '%ZZ'],
    ['swhid', 'swh:1:cnt:0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4'],
    ['swhid', 'swh:1:dir:0aa13ae'],
    ['swhid', 'swh:2:dir:0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4'],
  ])('%s: refuses %s with a SpecError', (prefix, s) => {
    expect(() => spec(prefix, s)).toThrowError(SpecError);
  });
});
