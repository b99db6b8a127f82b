import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream } from '../helpers/sse-client.js';

describe('BinderHub.ban_networks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      config: { BinderHub: { ban_networks: { '127.0.0.0/8': 'the loopback network' } } },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses /build from a banned network with one failed event (403)', async () => {
    const { events } = await readEventStream(`${h.url}build/gh/org/repo/HEAD`);
    expect(events.map((e) => e.data)).toEqual([
      {
        phase: 'failed',
        status_code: 403,
        message: 'Requests from the loopback network are not allowed\n',
      },
    ]);
  });

  it('refuses other routes with a 403 JSON body, but not /versions and /health', async () => {
    const page = await fetch(`${h.url}api/repoproviders`);
    expect(page.status).toBe(403);
    expect(await page.json()).toEqual({
      status: 403,
      error: 'Requests from the loopback network are not allowed',
    });
    expect((await fetch(`${h.url}versions`)).status).toBe(200);
    expect([200, 503]).toContain((await fetch(`${h.url}health`)).status);
  });

  it('refuses a malformed network at start-up, naming the key', async () => {
    await expect(
      startHarness({
        runner: false,
        config: { BinderHub: { ban_networks: { 'not-a-network': 'x' } } },
      }),
    ).rejects.toThrowError(/BinderHub\.ban_networks\.not-a-network/);
  });
});
