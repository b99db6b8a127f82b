import { describe, expect, it } from 'vitest';
import { ResolutionCache, type Resolution } from '../../../../api/providers/resolution-cache.js';

function deferred() {
  let settle!: (r: Resolution | null) => void;
  const promise = new Promise<Resolution | null>((resolve) => (settle = resolve));
  return { promise, settle };
}

describe('ResolutionCache', () => {
  it('keeps immutable refs for good, asks again for mutable ones, and forgets "not found" after a while', async () => {
    let now = 0;
    const cache = new ResolutionCache({ notFoundMs: 1000, now: () => now });
    let calls = 0;
    const answer = (r: Resolution | null) => () => (calls++, Promise.resolve(r));
    expect(await cache.resolve('v', answer({ ref: '1', immutable: true }))).toBe('1');
    expect(await cache.resolve('v', answer({ ref: '2', immutable: true }))).toBe('1');
    expect(await cache.resolve('m', answer({ ref: '3', immutable: false }))).toBe('3');
    expect(await cache.resolve('m', answer({ ref: '4', immutable: false }))).toBe('4');
    expect(await cache.resolve('gone', answer(null))).toBeNull();
    now = 999;
    expect(await cache.resolve('gone', answer({ ref: '5', immutable: false }))).toBeNull();
    now = 1001;
    expect(await cache.resolve('gone', answer({ ref: '5', immutable: false }))).toBe('5');
    expect(calls).toBe(5);
  });

  it('shares one resolution among concurrent callers; one caller leaving stops only its wait', async () => {
    const cache = new ResolutionCache();
    const outcomes: string[] = [];
    const d = deferred();
    let calls = 0;
    const resolve = () => (calls++, d.promise);
    const leaving = new AbortController();
    const first = cache.resolve('k', resolve, (o) => outcomes.push(o), leaving.signal);
    const second = cache.resolve('k', resolve, (o) => outcomes.push(o));
    leaving.abort(new Error('client left'));
    await expect(first).rejects.toThrowError('client left');
    d.settle({ ref: 'r', immutable: false });
    expect(await second).toBe('r');
    expect(calls).toBe(1);
    expect(outcomes.sort()).toEqual(['cached', 'resolved']);
    expect(await cache.resolve('k', () => Promise.resolve({ ref: 's', immutable: false }))).toBe(
      's',
    );
  });

  it('passes errors to every caller and remembers nothing', async () => {
    const cache = new ResolutionCache();
    const failing = () => Promise.reject(new Error('down'));
    await expect(
      Promise.all([cache.resolve('k', failing), cache.resolve('k', failing)]),
    ).rejects.toThrowError('down');
    expect(await cache.resolve('k', () => Promise.resolve({ ref: 'ok', immutable: true }))).toBe(
      'ok',
    );
  });
});
