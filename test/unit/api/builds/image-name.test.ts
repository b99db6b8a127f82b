import { describe, expect, it } from 'vitest';
import { imageBasenameAndTag } from '../../../../api/builds/image-name.js';
import {
  buildName,
  escapeSlug,
  imageName,
  safeBuildSlug,
} from '../../../../queue/repo-specs/build-names.js';

// Vectors from upstream BinderHub's builder (its tests and the documented example).
describe('image and build names (upstream formulas)', () => {
  const sha = '1479e0252b2e648bb755ee913292b79495931717';

  it('names the image of gh binder-examples/octave as upstream does', () => {
    expect(imageName('', 'binder-examples-octave', sha)).toBe(
      `binder-2dexamples-2doctave-03025a:${sha}`,
    );
  });

  it('names the build pod as upstream does', () => {
    expect(buildName('binder-examples-octave', sha)).toBe(
      'build-binder-2dexamples-2doctave-03025a-147-e2',
    );
  });

  it('escapes every byte outside [A-Za-z0-9] as -XX (UTF-8)', () => {
    expect(escapeSlug('a-b/c.d')).toBe('a-2Db-2Fc-2Ed');
    expect(escapeSlug('é')).toBe('-C3-A9');
  });

  it('applies the prefix, replaces _ by - and lower-cases the whole name', () => {
    expect(imageName('Registry.example/Binder_', 'Org_Repo', 'ABC_def')).toBe(
      `registry.example/binder-org-5frepo-${safeBuildSlug('Org_Repo', 255).slice(-6)}:abc-def`,
    );
  });

  it('keeps image names within 255 characters before the tag', () => {
    const prefix = '127.0.0.1:5000/binder-';
    const name = imageName(prefix, 'x'.repeat(1000), sha);
    expect(name.split(':').slice(0, -1).join(':').length).toBeLessThanOrEqual(255);
  });

  it('keeps build names DNS-label safe: ≤ 63 characters, not ending in - _ .', () => {
    for (const slug of ['a', 'https://example.com/org/repo.git', 'x'.repeat(300), 'ünïcödé/репо']) {
      const n = buildName(slug, sha);
      expect(n.length).toBeLessThanOrEqual(63);
      expect(n).toMatch(/^build-[a-z0-9-]+[a-z0-9]$/);
    }
  });

  it('splits registry host, repository and tag as upstream does', () => {
    expect(imageBasenameAndTag('127.0.0.1:5000/binder-x:abc')).toEqual({
      name: 'binder-x',
      tag: 'abc',
    });
    expect(imageBasenameAndTag('gcr.io/proj/binder-x:abc')).toEqual({
      name: 'proj/binder-x',
      tag: 'abc',
    });
    expect(imageBasenameAndTag('myuser/binder-x:abc')).toEqual({
      name: 'myuser/binder-x',
      tag: 'abc',
    });
    expect(imageBasenameAndTag('registry:5000/binder-x')).toEqual({
      name: 'binder-x',
      tag: 'latest',
    });
  });
});
