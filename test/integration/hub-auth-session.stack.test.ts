import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubAuth } from '../../api/auth/hub-auth.js';
import { HubUnreachableError, type HubIdentity } from '../../api/auth/hub-oauth-client.js';
import { SessionStore } from '../../api/auth/session-store.js';
import { parseConfig } from '../../queue/config/index.js';
import { createLogger, createRedis, keyNames } from '../../queue/index.js';
import { requireStack } from '../helpers/stack.js';

// Sessions of BinderHub.auth_enabled in the stack's Redis: a session stands without
// asking the hub for HubOAuth.cache_max_age, is ended when the hub no longer knows its
// token (logout or revocation at the hub), survives a hub outage; a login's state is
// used once. The hub's answers are given here (the real hub's are in test/ui/auth-launch).

let redis: Redis;
let store: SessionStore;
const settings = parseConfig({}).HubOAuth; // cache_max_age 300 s, cookie binderhub-session
let now = Date.now();
let hubSays: HubIdentity | null | 'down' = null;
let asked = 0;
const client = {
  async identify(): Promise<HubIdentity | null> {
    asked++;
    if (hubSays === 'down') throw new HubUnreachableError('JupyterHub is not reachable');
    return hubSays;
  },
};
const log = createLogger({ level: 'silent', name: 'test' });
const auth = () => new HubAuth({ settings, store, client, log, now: () => now });
const withCookie = (id: string) =>
  ({ get: (h: string) => (h === 'cookie' ? `binderhub-session=${id}` : undefined) }) as Request;

beforeAll(async () => {
  const s = await requireStack();
  redis = createRedis(s.redisUrl, 'command');
  store = new SessionStore(redis, keyNames(`test-${randomUUID().slice(0, 8)}`), 600);
});
afterAll(() => redis?.disconnect());

describe('hub login sessions', () => {
  it('stand for cache_max_age, then are checked with the hub and ended when it refuses', async () => {
    const id = await store.create({ user: 'ada', hubToken: 'tok', checkedAt: now });
    const a = auth();
    asked = 0;
    expect(await a.userFor(withCookie(id))).toBe('ada');
    expect(asked).toBe(0);

    now += settings.cache_max_age * 1000 + 1;
    hubSays = { name: 'ada' };
    expect(await a.userFor(withCookie(id))).toBe('ada');
    expect(asked).toBe(1);
    expect(await a.userFor(withCookie(id))).toBe('ada'); // checked: no second question
    expect(asked).toBe(1);

    now += settings.cache_max_age * 1000 + 1;
    hubSays = 'down';
    expect(await a.userFor(withCookie(id))).toBe('ada'); // an outage logs nobody out

    hubSays = null; // logged out at the hub, or the token revoked
    expect(await a.userFor(withCookie(id))).toBeNull();
    expect(await store.get(id)).toBeNull();
    hubSays = { name: 'ada' };
    expect(await a.userFor(withCookie(id))).toBeNull(); // gone for good
  });

  it('refuses a token that now belongs to someone else, and ids of the wrong shape', async () => {
    const id = await store.create({ user: 'ada', hubToken: 'tok', checkedAt: 0 });
    hubSays = { name: 'grace' };
    expect(await auth().userFor(withCookie(id))).toBeNull();
    expect(await auth().userFor(withCookie('../../etc'))).toBeNull();
    expect(await auth().userFor(withCookie(''))).toBeNull();
  });

  it('uses a login state once', async () => {
    const id = await store.beginLogin({ state: 's', next: '/v2/gh/a/b/HEAD' }, 60);
    expect(await store.takeLogin(id)).toEqual({ state: 's', next: '/v2/gh/a/b/HEAD' });
    expect(await store.takeLogin(id)).toBeNull();
  });
});
