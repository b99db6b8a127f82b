import { describe, expect, it } from 'vitest';
import { buildTokenAudience } from '../../../api/build-token/build-tokens.js';
import { parseBuildPath } from '../../../api/builds/build-path.js';
import { normaliseRepoUrl } from '../../../api/builds-api/repo-query.js';
import { uniqueNameFromRepo } from '../../../api/launch/unique-name.js';
import { launchPageSpec, specMatches } from '../../../api/ui/handlers/launch-page-handler.js';
import { legacyRedirectLocation } from '../../../api/ui/handlers/legacy-redirect.js';
import { scrubUrl } from '../../../queue/index.js';

/**
 * Parsing a request path must take time linear in its length: a path of runs of `/` (or
 * of any character) must not make a regex retry at every position. No absolute times
 * (this box is loaded): the time for 10× the input must grow about 10×, not 100×.
 */
function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function growth(parse: (n: number) => unknown, small = 5_000): number {
  const rounds = 20;
  const time = (n: number) =>
    bestOf(5, () => {
      for (let i = 0; i < rounds; i++) parse(n);
    });
  time(small); // warm up
  const a = Math.max(time(small), 0.05);
  const b = time(small * 10);
  return b / a;
}

const slashes = (n: number) => '/'.repeat(n);
const letters = (n: number) => 'a'.repeat(n);

const cases: Array<[string, (n: number) => unknown]> = [
  ['/build path', (n) => parseBuildPath(`/build/gh/a${slashes(n)}x`)],
  ['/build path, slashes only', (n) => parseBuildPath(`/build/gh/${slashes(n)}`)],
  ['token audience (trailing / trim)', (n) => buildTokenAudience('gh', `a${slashes(n)}x`)],
  ['launch page spec', (n) => launchPageSpec(`/v2/gh/a${slashes(n)}x`, 'gh')],
  ['launch page spec check (gh)', (n) => specMatches('[^/]+/[^/]+/.+', letters(n))],
  ['launch page spec check (git)', (n) => specMatches('[^/]+/.+', letters(n))],
  ['legacy redirect', (n) => legacyRedirectLocation(`/repo/a/b${slashes(n)}x`)],
  ['legacy redirect, slashes only', (n) => legacyRedirectLocation(`/repo/a/b${slashes(n)}`)],
  ['/api/builds repo URL', (n) => normaliseRepoUrl(`https://h/a${slashes(n)}x`)],
  ['launch user name', (n) => uniqueNameFromRepo(`https://h/a${slashes(n)}x`)],
  ['scrubbing a URL-like text', (n) => scrubUrl(`//${letters(n)}`)],
  ['scrubbing slashes', (n) => scrubUrl(`@${slashes(n)}x`)],
  ['scrubbing encoded slashes', (n) => scrubUrl(`%40${'%2F'.repeat(n / 3)}x`)],
];

describe('request-path parsing is linear', () => {
  it.each(cases)('%s', (_name, parse) => {
    expect(growth(parse)).toBeLessThan(40);
  });
});
