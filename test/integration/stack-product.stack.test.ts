import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireStack, type StackInfo } from '../helpers/stack.js';

// The binderhub-ts that `scripts/stack.sh up` started on 8585, as a newcomer finds it:
// the queue dashboard, the GitHub webhook and the pre-build API are on with the secrets
// in .stack/secrets/, one /metrics has the build series, and the rate limit lets one
// developer work. Nothing here builds anything.

const secret = (info: StackInfo, name: string) =>
  readFileSync(path.join(info.stackDir, 'secrets', name), 'utf8').trim();

describe('the local stack shows the whole product', () => {
  let info: StackInfo;
  let base: string;
  beforeAll(async () => {
    info = await requireStack();
    base = info.binderUrl;
    const health = await fetch(`${base}versions`).catch(() => undefined);
    if (health?.status !== 200) throw new Error(`binderhub-ts does not answer at ${base}`);
  });

  it('the queue dashboard opens with the admin token (basic auth) and refuses without', async () => {
    const url = `${base}admin/queues/`;
    expect((await fetch(url)).status).toBe(401);
    const basic = Buffer.from(`me:${secret(info, 'dashboard-admin-token')}`).toString('base64');
    expect((await fetch(url, { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    const viewer = { authorization: `Bearer ${secret(info, 'dashboard-viewer-token')}` };
    const api = await fetch(`${url}api/queues?activeQueue=builds`, { headers: viewer });
    expect(api.status).toBe(200);
  });

  it('the GitHub webhook answers a delivery signed with the stack secret', async () => {
    const body = JSON.stringify({ zen: 'hi', hook: { events: ['push'] } });
    const sig = createHmac('sha256', secret(info, 'github-webhook-secret')).update(body);
    const res = await fetch(`${base}hooks/github`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${sig.digest('hex')}`,
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ message: 'pong' });
  });

  it('the pre-build API takes the stack token (a bad spec: 400, nothing built)', async () => {
    const post = (token: string) =>
      fetch(`${base}api/prebuilds`, {
        method: 'POST',
        body: JSON.stringify({ provider: 'gh', spec: 'only-an-owner' }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
    expect((await post('not-the-token-0123456789')).status).toBe(401);
    const res = await post(secret(info, 'prebuild-token'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/user\/repo\/ref/) });
  });

  it('20 /build requests in a row from one address are not refused', async () => {
    const statuses: Array<number | undefined> = [];
    for (let i = 0; i < 20; i++) {
      // A malformed spec: counted by the rate limit, then refused at once by the provider.
      const res = await fetch(`${base}build/gh/only-an-owner/HEAD`, {
        headers: { accept: 'text/event-stream' },
      });
      const text = await res.text();
      statuses.push(Number(/"status_code":\s*(\d+)/.exec(text)?.[1]) || undefined);
      expect(Number(res.headers.get('x-ratelimit-limit'))).toBeGreaterThanOrEqual(20);
    }
    expect(statuses).not.toContain(429);
  });

  it('one /metrics on 8585 with the api and the build series', async () => {
    const text = await (await fetch(`${base}metrics`)).text();
    for (const name of [
      'binderhub_launch_count',
      'binderhub_build_count',
      'binderhub_inprogress_builds',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
  });
});
