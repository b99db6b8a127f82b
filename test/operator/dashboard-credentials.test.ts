import { describe, expect, it } from 'vitest';
import { crossSiteRefusal } from '../../api/dashboard/cross-site.js';
import { parseAuthorization, roleFor } from '../../api/dashboard/dashboard-credentials.js';
import { formatJobData } from '../../api/dashboard/job-data-formatter.js';
import { testJob } from '../helpers/test-queue.js';

const tokens = { admin_token: 'A'.repeat(20), viewer_token: 'V'.repeat(20) };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('dashboard credentials', () => {
  it('parses Bearer and Basic (the password is the token; the user is kept)', () => {
    expect(parseAuthorization(`Bearer ${tokens.admin_token}`)).toEqual({
      scheme: 'bearer',
      secret: tokens.admin_token,
    });
    expect(parseAuthorization(`basic ${b64('ops:pa:ss')}`)).toEqual({
      scheme: 'basic',
      user: 'ops',
      secret: 'pa:ss',
    });
    for (const bad of [
      undefined,
      '',
      'Bearer',
      'Digest abc',
      `Basic ${b64('no-colon')}`,
      'Bearer a b',
    ]) {
      expect(parseAuthorization(bad), String(bad)).toBeUndefined();
    }
  });

  it('maps the tokens to roles; empty tokens grant nothing', () => {
    expect(roleFor(tokens.admin_token, tokens)).toBe('admin');
    expect(roleFor(tokens.viewer_token, tokens)).toBe('viewer');
    expect(roleFor(`${tokens.admin_token}x`, tokens)).toBeUndefined();
    expect(roleFor('', { admin_token: '', viewer_token: '' })).toBeUndefined();
    expect(roleFor('', { admin_token: tokens.admin_token, viewer_token: '' })).toBeUndefined();
  });
});

describe('same-origin rule for dashboard actions', () => {
  const h = (headers: Record<string, string>) => (name: string) => headers[name];
  it('accepts same-origin browsers and Bearer scripts, refuses the rest', () => {
    expect(
      crossSiteRefusal(h({ 'sec-fetch-site': 'same-origin' }), 'b.org', false),
    ).toBeUndefined();
    expect(
      crossSiteRefusal(h({ origin: 'https://b.org:8443' }), 'b.org:8443', false),
    ).toBeUndefined();
    expect(crossSiteRefusal(h({}), 'b.org', true)).toBeUndefined();
    expect(crossSiteRefusal(h({ 'sec-fetch-site': 'cross-site' }), 'b.org', true)).toMatch(
      /cross-site/,
    );
    expect(crossSiteRefusal(h({ 'sec-fetch-site': 'none' }), 'b.org', false)).toMatch(/none/);
    expect(crossSiteRefusal(h({ origin: 'https://evil.org' }), 'b.org', true)).toMatch(
      /not this site/,
    );
    expect(crossSiteRefusal(h({ origin: 'null' }), 'b.org', false)).toMatch(/not a URL/);
    expect(crossSiteRefusal(h({}), 'b.org', false)).toMatch(/Bearer/);
  });
});

describe('job data shown in the dashboard', () => {
  it('keeps image, trigger and refs, scrubs credentials, shows the request time', () => {
    const job = testJob('x', {
      repoUrl: 'https://me:tok3n@example.org/r.git',
      requestedAt: Date.UTC(2026, 0, 1),
    });
    expect(formatJobData(job)).toEqual({
      image: job.image,
      trigger: 'launch',
      provider: 'GitHub (gh)',
      spec: job.spec,
      resolvedSpec: job.resolvedSpec,
      ref: job.ref,
      repoUrl: 'https://me:[secret]@example.org/r.git',
      buildName: job.buildName,
      requestedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(formatJobData({ other: 1 })).toEqual({ other: 1 });
  });
});
