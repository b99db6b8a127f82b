import { describe, expect, it } from 'vitest';
import {
  imagePrefixParts,
  isRepoName,
  isTag,
} from '../../../../api/registry-cleaner/image-prefix-parts.js';
import {
  planDeletions,
  type TaggedImage,
} from '../../../../api/registry-cleaner/plan-deletions.js';

const DAY = 86_400_000;
const now = 100 * DAY;
const tag = (repo: string, t: string, digest: string, createdDaysAgo?: number): TaggedImage => ({
  repo,
  tag: t,
  image: `reg/${repo}:${t}`,
  digest,
  ...(createdDaysAgo === undefined ? {} : { createdMs: now - createdDaysAgo * DAY }),
});

describe('planDeletions', () => {
  it('deletes what was neither used nor created within the age, and keeps the rest', () => {
    const plan = planDeletions(
      [
        tag('a', 'old', 'd1', 40),
        tag('a', 'new', 'd2', 1),
        tag('b', 'used', 'd3', 40),
        tag('c', 'unknown', 'd4'),
        tag('d', 'kept', 'd5', 40),
      ],
      new Map([['reg/b:used', now - 2 * DAY]]),
      new Set(['reg/d:kept']),
      now,
      30 * DAY,
      10,
    );
    expect(plan.delete.map((d) => d.images)).toEqual([['reg/a:old']]);
    expect(plan.kept).toEqual({ recent: 2, keepers: 1, unknownAge: 1 });
  });

  it('deletes a manifest only when every tag on it may go', () => {
    const shared = [tag('a', 'x', 'same', 40), tag('a', 'y', 'same', 40)];
    const both = planDeletions(shared, new Map(), new Set(), now, 30 * DAY, 10);
    expect(both.delete).toHaveLength(1);
    expect(both.delete[0]!.images).toEqual(['reg/a:x', 'reg/a:y']);
    const oneKept = planDeletions(shared, new Map(), new Set(['reg/a:y']), now, 30 * DAY, 10);
    expect(oneKept.delete).toEqual([]);
    const oneUsed = planDeletions(
      shared,
      new Map([['reg/a:x', now]]),
      new Set(),
      now,
      30 * DAY,
      10,
    );
    expect(oneUsed.delete).toEqual([]);
    // The same digest in two repositories is two manifests.
    const twoRepos = planDeletions(
      [tag('a', 'x', 'same', 40), tag('b', 'x', 'same', 1)],
      new Map(),
      new Set(),
      now,
      30 * DAY,
      10,
    );
    expect(twoRepos.delete.map((d) => d.repo)).toEqual(['a']);
  });

  it('deletes at most the limit, least recently used first', () => {
    const tags = [tag('a', '1', 'd1', 50), tag('a', '2', 'd2', 70), tag('a', '3', 'd3', 60)];
    const plan = planDeletions(tags, new Map(), new Set(), now, 30 * DAY, 2);
    expect(plan.delete.map((d) => d.digest)).toEqual(['d2', 'd3']);
  });
});

describe('imagePrefixParts', () => {
  it('splits the registry host from the repository prefix', () => {
    expect(imagePrefixParts('127.0.0.1:5000/binder-')).toEqual({
      host: '127.0.0.1:5000/',
      repoPrefix: 'binder-',
    });
    expect(imagePrefixParts('gcr.io/project/binder-')).toEqual({
      host: 'gcr.io/',
      repoPrefix: 'project/binder-',
    });
  });

  it('accepts only registry repository names and tags', () => {
    expect(isRepoName('binder-abc/def_1')).toBe(true);
    expect(isRepoName('../etc')).toBe(false);
    expect(isRepoName('Binder')).toBe(false);
    expect(isTag('0123abc')).toBe(true);
    expect(isTag('../x')).toBe(false);
    expect(isTag('.hidden')).toBe(false);
  });
});
