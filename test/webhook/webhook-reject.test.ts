import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, pushPayload, randomSha, sign } from './github-deliveries.js';
import { SECRET, startWebhookApp, total, type WebhookApp } from './webhook-app.js';

/**
 * Every bad delivery gets a JSON 4xx and changes nothing: no job, no claimed delivery
 * id, no push-log entry. Real app, real Redis, real registry.
 */
describe('GitHub webhook: rejected deliveries', () => {
  let app: WebhookApp;
  const repo = 'octo-org/rejected';
  const payload = () => pushPayload({ repo, sha: randomSha() });

  beforeAll(async () => {
    app = await startWebhookApp({ config: { GitHubWebhook: { max_body_size: 4096 } } });
  });
  afterAll(async () => app?.close());

  /** Nothing was enqueued, no delivery id was claimed, nothing was logged. */
  async function expectNothingChanged(deliveryId: string): Promise<void> {
    await app.prebuilds.scheduler.idle();
    expect(total(await app.jobCounts())).toBe(0);
    const prefix = app.config.Redis.key_prefix;
    expect(await app.deps.redis.exists(`${prefix}:webhook:github:delivery:${deliveryId}`)).toBe(0);
    expect(await app.prebuilds.pushLog.recent('gh', repo)).toEqual([]);
  }

  function expectJsonError(r: { status: number; body: Record<string, unknown> }, status: number) {
    expect(r.status).toBe(status);
    expect(r.body.status).toBe(status);
    expect(typeof r.body.error).toBe('string');
  }

  it('refuses a bad signature with 401', async () => {
    const r = await deliver(app.hookUrl, {
      payload: payload(),
      signature: `sha256=${'ab'.repeat(32)}`,
    });
    expectJsonError(r, 401);
    expect(r.body.error).toMatch(/signature does not match/i);
    await expectNothingChanged(r.deliveryId);
  });

  it('refuses a missing signature with 401', async () => {
    const r = await deliver(app.hookUrl, { payload: payload(), signature: null });
    expectJsonError(r, 401);
    expect(r.body.error).toMatch(/X-Hub-Signature-256/);
    await expectNothingChanged(r.deliveryId);
  });

  it('refuses a delivery signed with another secret with 401', async () => {
    const r = await deliver(app.hookUrl, { payload: payload(), secret: 'not the secret' });
    expectJsonError(r, 401);
    await expectNothingChanged(r.deliveryId);
  });

  it('refuses a body that is not the one signed (tampered) with 401', async () => {
    const body = JSON.stringify(payload());
    const signature = sign(SECRET, body);
    const r = await deliver(app.hookUrl, { body: body.replace('rejected', 'rejectee'), signature });
    expectJsonError(r, 401);
    await expectNothingChanged(r.deliveryId);
  });

  it('refuses malformed JSON (correctly signed) with 400', async () => {
    const body = '{"ref": "refs/heads/main", "after": ';
    const r = await deliver(app.hookUrl, { body, secret: SECRET });
    expectJsonError(r, 400);
    expect(r.body.error).toMatch(/not valid JSON/);
    await expectNothingChanged(r.deliveryId);
  });

  it('refuses JSON that is not a push payload with 400', async () => {
    const bad = { ...payload(), after: 'not-a-sha' };
    const r = await deliver(app.hookUrl, { payload: bad, secret: SECRET });
    expectJsonError(r, 400);
    expect(r.body.error).toMatch(/after/);
    await expectNothingChanged(r.deliveryId);
  });

  it('refuses an oversized body with 413 (declared length)', async () => {
    const big = { ...payload(), padding: 'x'.repeat(8192) };
    const r = await deliver(app.hookUrl, { payload: big, secret: SECRET });
    expectJsonError(r, 413);
    await expectNothingChanged(r.deliveryId);
  });

  it('refuses an oversized chunked body with 413 while reading it', async () => {
    const body = JSON.stringify({ ...payload(), padding: 'x'.repeat(8192) });
    const deliveryId = 'chunked-oversized';
    const { status, text } = await new Promise<{ status: number; text: string }>(
      (resolve, reject) => {
        const req = http.request(app.hookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
            'x-github-event': 'push',
            'x-github-delivery': deliveryId,
            'x-hub-signature-256': sign(SECRET, body),
          },
        });
        req.on('response', (res) => {
          let t = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (t += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
        });
        req.on('error', reject);
        for (let i = 0; i < body.length; i += 1000) req.write(body.slice(i, i + 1000));
        req.end();
      },
    );
    expect(status).toBe(413);
    expect(JSON.parse(text)).toMatchObject({ status: 413 });
    await expectNothingChanged(deliveryId);
  });

  it('refuses a form-encoded delivery with 415', async () => {
    const body = `payload=${encodeURIComponent(JSON.stringify(payload()))}`;
    const r = await deliver(app.hookUrl, {
      body,
      secret: SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
    expectJsonError(r, 415);
    expect(r.body.error).toMatch(/application\/json/);
    await expectNothingChanged(r.deliveryId);
  });

  it('refuses a delivery without X-GitHub-Event with 400', async () => {
    const body = JSON.stringify(payload());
    const r = await deliver(app.hookUrl, {
      body,
      secret: SECRET,
      headers: { 'x-github-event': '' },
    });
    expectJsonError(r, 400);
    await expectNothingChanged(r.deliveryId);
  });

  it('answers other methods with 405', async () => {
    const res = await fetch(app.hookUrl);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toMatchObject({ status: 405 });
  });

  it('counts rejected deliveries by outcome', async () => {
    const text = await (await fetch(`${app.url}metrics`)).text();
    expect(text).toMatch(
      /binderhub_ts_webhook_deliveries_total\{source="github",event="unverified",outcome="unauthorized"\} [1-9]/,
    );
    expect(text).toMatch(/outcome="invalid"\} [1-9]/);
  });
});

describe('GitHub webhook: off without a secret', () => {
  let app: WebhookApp;
  beforeAll(async () => {
    app = await startWebhookApp({ config: { GitHubWebhook: { secret: '' } } });
  });
  afterAll(async () => app?.close());

  it('answers 404 naming GitHubWebhook.secret, even to a signed push', async () => {
    const r = await deliver(app.hookUrl, {
      payload: pushPayload({ repo: 'octo-org/off', sha: randomSha() }),
      secret: '',
      signature: sign('anything', '{}'),
    });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/GitHubWebhook\.secret/);
    expect(total(await app.jobCounts())).toBe(0);
  });

  it('answers 404 naming GitLabWebhook.secret_token on the GitLab path', async () => {
    const res = await fetch(`${app.url}hooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': 'guess' },
      body: '{"object_kind":"push"}',
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/GitLabWebhook\.secret_token/);
  });
});
