import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';

// CORS preflights (real api over HTTP): with `BinderHub.cors_allow_origin` set, a page on
// another origin may send `Authorization` (binderhub-client's apiToken) and `Last-Event-ID`
// (a fetch-based resume) as well as `Cache-Control`; without it, upstream's answer.
const PAGE = 'https://book.example.org';

const preflight = (url: string, headers: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin: PAGE,
      'access-control-request-method': 'GET',
      'access-control-request-headers': headers,
    },
  });

const allowed = (res: Response) =>
  (res.headers.get('access-control-allow-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);

describe('CORS preflight of /build', () => {
  let on: Harness;
  let off: Harness;
  beforeAll(async () => {
    on = await startHarness({ runner: false, config: { BinderHub: { cors_allow_origin: PAGE } } });
    off = await startHarness({ runner: false });
  });
  afterAll(async () => {
    await on?.close();
    await off?.close();
  });

  it('allows authorization and last-event-id when CORS is on', async () => {
    const res = await preflight(
      `${on.url}build/gh/org/repo/HEAD`,
      'authorization,last-event-id,cache-control',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(allowed(res).sort()).toEqual(['authorization', 'cache-control', 'last-event-id']);
  });

  it('answers the same on the other api routes (one middleware)', async () => {
    const res = await preflight(`${on.url}versions`, 'authorization');
    expect(res.status).toBe(200);
    expect(allowed(res)).toContain('authorization');
  });

  it('keeps upstream’s answer when CORS is off', async () => {
    const res = await preflight(`${off.url}build/gh/org/repo/HEAD`, 'authorization');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(allowed(res)).toEqual(['cache-control']);
  });

  it('serves the cross-origin request itself with the allow-origin header', async () => {
    const res = await fetch(`${on.url}build/nope/org/repo`, {
      headers: {
        accept: 'text/event-stream',
        origin: PAGE,
        authorization: 'Bearer abc',
        'last-event-id': '1-1',
      },
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(await res.text()).toMatch(
      /^id: done-[^\n]+\ndata: \{"phase":"failed".*No provider found/,
    );
  });
});
