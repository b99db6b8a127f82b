import { describe, expect, it } from 'vitest';
import type { RepoProvider } from '../../../../api/providers/repo-provider.js';
import { SharedResolver } from '../../../../api/providers/shared-resolve.js';

/** A provider whose look-ups the test settles by hand, counting them. */
function provider() {
  const pending: Array<(sha: string) => void> = [];
  const p = {
    calls: 0,
    resolveRef(): Promise<string | null> {
      p.calls++;
      return new Promise((resolve) => pending.push(resolve));
    },
    settle: (sha: string) => pending.splice(0).forEach((r) => r(sha)),
  };
  return p;
}

describe('SharedResolver', () => {
  it('makes one look-up for simultaneous resolutions of a spec, and a new one afterwards', async () => {
    const shared = new SharedResolver();
    const a = provider();
    const b = provider();
    const pa = shared.wrap('git/x/HEAD', a as unknown as RepoProvider);
    const pb = shared.wrap('git/x/HEAD', b as unknown as RepoProvider);
    const results = Promise.all([pa.resolveRef(), pb.resolveRef(), pa.resolveRef()]);
    a.settle('s1');
    expect(await results).toEqual(['s1', 's1', 's1']);
    expect(a.calls + b.calls).toBe(1);
    const later = pb.resolveRef();
    b.settle('s2');
    expect(await later).toBe('s2');
    expect(a.calls + b.calls).toBe(2);
  });

  it('keeps specs apart, and lets one caller give up without cancelling the others', async () => {
    const shared = new SharedResolver();
    const a = provider();
    const pa = shared.wrap('git/x/HEAD', a as unknown as RepoProvider);
    const other = provider();
    const po = shared.wrap('git/y/HEAD', other as unknown as RepoProvider);
    const gone = new AbortController();
    const first = pa.resolveRef(gone.signal);
    const second = pa.resolveRef();
    const third = po.resolveRef();
    gone.abort(new Error('client went away'));
    await expect(first).rejects.toThrow('client went away');
    a.settle('s1');
    other.settle('s9');
    expect(await second).toBe('s1');
    expect(await third).toBe('s9');
  });
});
