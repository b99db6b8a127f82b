import { describe, expect, it } from 'vitest';
import { legacyRedirectLocation } from '../../../../../api/ui/handlers/legacy-redirect.js';

describe('legacyRedirectLocation (upstream tests/test_main.py vectors)', () => {
  it.each([
    ['/repo/binderhub-ci-repos/requirements', '/v2/gh/binderhub-ci-repos/requirements/master'],
    ['/repo/binderhub-ci-repos/requirements/', '/v2/gh/binderhub-ci-repos/requirements/master'],
    [
      '/repo/binderhub-ci-repos/requirements/notebooks/index.ipynb',
      '/v2/gh/binderhub-ci-repos/requirements/master?urlpath=%2Fnotebooks%2Findex.ipynb',
    ],
    ['/repo/u/r/a%20b/c(1).ipynb', '/v2/gh/u/r/master?urlpath=%2Fa+b%2Fc%281%29.ipynb'],
    ['/repo/u/r///', '/v2/gh/u/r/master'],
  ])('%s → %s', (path, location) => {
    expect(legacyRedirectLocation(path)).toBe(location);
  });
  it('is null for other paths', () => {
    expect(legacyRedirectLocation('/repo/only-user')).toBeNull();
  });
});
