import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { markup } from '../../../../api/ui/html/html.js';
import { renderPage } from '../../../../api/ui/html/layout.js';
import { siteSettings, type SiteSettings } from '../../../../api/ui/html/site-settings.js';
import { parseConfig } from '../../../../queue/config/index.js';
import { JobTokenError, JobTokenSeal } from '../../../../queue/credentials/job-token.js';
import {
  parseEncryptionKey,
  SealedBox,
  SealedBoxError,
} from '../../../../queue/credentials/sealed-box.js';
import { gitCredentialsFor } from '../../../../queue/repo-specs/git-credentials.js';
import { repoSpecFor } from '../../../../queue/repo-specs/repo-spec-for.js';

const hub = { hub_url: 'https://hub.example.org/', hub_api_token: 't0k', auth_enabled: true };
const key = randomBytes(32);
const github = { client_id: 'Iv1.abc', client_secret: 's3cret' };

describe('users’ own credentials: configuration', () => {
  it('is off without an OAuth app, and on with one, auth_enabled and a 32-byte key', () => {
    expect(parseConfig({}).GitHubOAuth.client_id).toBe('');
    const c = parseConfig({
      BinderHub: hub,
      GitHubOAuth: github,
      UserCredentials: { encryption_key: key.toString('base64') },
    });
    expect(c.UserCredentials).toMatchObject({
      access_check_seconds: 60,
      refresh_margin_seconds: 300,
    });
    expect(c.GitHubOAuth.scope).toBe('repo');
    expect(c.GitLabOAuth.scope).toBe('read_api read_repository');
  });

  it('refuses a missing or short key, a missing secret, and no hub login, naming each', () => {
    expect(() => parseConfig({ BinderHub: hub, GitHubOAuth: github })).toThrow(
      /UserCredentials.encryption_key: is required and must be 32 random bytes/,
    );
    expect(() =>
      parseConfig({
        BinderHub: hub,
        GitLabOAuth: { client_id: 'x', client_secret: 'y' },
        UserCredentials: { encryption_key: 'abcd1234' },
      }),
    ).toThrow(/UserCredentials.encryption_key: is not 32 random bytes/);
    expect(() =>
      parseConfig({
        BinderHub: hub,
        GitHubOAuth: { client_id: 'x' },
        UserCredentials: { encryption_key: key.toString('hex') },
      }),
    ).toThrow(/GitHubOAuth.client_secret: is required with GitHubOAuth.client_id/);
    expect(() =>
      parseConfig({
        GitHubOAuth: github,
        UserCredentials: { encryption_key: key.toString('hex') },
      }),
    ).toThrow(/BinderHub.auth_enabled: must be true when GitHubOAuth.client_id/);
  });

  it('accepts keys as 64 hex digits or base64(url) of 32 bytes only', () => {
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('base64url'))).toEqual(key);
    expect(parseEncryptionKey(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(parseEncryptionKey('')).toBeUndefined();
  });
});

describe('sealed values', () => {
  it('open only with the same key, purpose and context', () => {
    const box = new SealedBox(key, 'tokens');
    const sealed = box.seal('ghu_secret', 'github\nada');
    expect(sealed).not.toContain('ghu_secret');
    expect(box.open(sealed, 'github\nada')).toBe('ghu_secret');
    expect(() => box.open(sealed, 'github\nbob')).toThrow(SealedBoxError);
    expect(() => new SealedBox(key, 'jobs').open(sealed, 'github\nada')).toThrow(SealedBoxError);
    expect(() => new SealedBox(randomBytes(32), 'tokens').open(sealed, 'github\nada')).toThrow(
      SealedBoxError,
    );
    const tampered = `${sealed.slice(0, -4)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-3)}`;
    expect(() => box.open(tampered, 'github\nada')).toThrow(SealedBoxError);
  });

  it('job tokens are bound to the job and refused once stale', () => {
    const seal = new JobTokenSeal(key);
    const job = { buildName: 'build-a-b', repoUrl: 'https://github.com/a/b' };
    const sealed = seal.seal(job, { provider: 'github', token: 'ghu_x', notAfter: 2000 });
    expect(seal.open(job, sealed, 1000)).toEqual({
      provider: 'github',
      token: 'ghu_x',
      notAfter: 2000,
    });
    expect(() => seal.open(job, sealed, 3000)).toThrow(/stale/);
    expect(() => seal.open({ ...job, buildName: 'build-c-d' }, sealed, 1000)).toThrow(
      JobTokenError,
    );
    expect(() => seal.seal(job, { provider: 'github', token: 'a\nb', notAfter: 1 })).toThrow(); // no newlines: they would inject credential lines
  });
});

describe('git credentials of a user token', () => {
  const config = parseConfig({});
  it('use the user names GitHub and GitLab document, for that site only', () => {
    const gh = repoSpecFor(config, 'gh', 'a/b/HEAD')!;
    const gl = repoSpecFor(config, 'gl', 'g%2Fp/HEAD')!;
    const notAfter = Date.now() + 1000;
    expect(gitCredentialsFor(config, gh, { provider: 'github', token: 'ghu_1', notAfter })).toBe(
      'username=x-access-token\npassword=ghu_1',
    );
    expect(gitCredentialsFor(config, gl, { provider: 'gitlab', token: 'glo', notAfter })).toBe(
      'username=oauth2\npassword=glo',
    );
    expect(() =>
      gitCredentialsFor(config, gl, { provider: 'github', token: 't', notAfter }),
    ).toThrow(/not for gl repositories/);
  });

  it('follow GitHubRepoProvider.base_url / GitLabRepoProvider.base_url for clone URLs', () => {
    const c = parseConfig({
      GitHubRepoProvider: { base_url: 'http://127.0.0.1:9999' },
      GitLabRepoProvider: { base_url: 'http://127.0.0.1:9998/gitlab/' },
    });
    expect(repoSpecFor(c, 'gh', 'a/b/HEAD')!.repoUrl()).toBe('http://127.0.0.1:9999/a/b');
    expect(repoSpecFor(c, 'gl', 'g%2Fp/HEAD')!.repoUrl()).toBe(
      'http://127.0.0.1:9998/gitlab/g/p.git',
    );
    expect(repoSpecFor(config, 'gh', 'a/b/HEAD')!.repoUrl()).toBe('https://github.com/a/b');
    expect(() => parseConfig({ GitHubRepoProvider: { base_url: 'ftp://x/' } })).toThrow(/base_url/);
  });
});

describe('the page header', () => {
  it('links the connected accounts for logged-in users when accounts can be connected', () => {
    const on = parseConfig({
      BinderHub: hub,
      GitLabOAuth: { client_id: 'x', client_secret: 'y' },
      UserCredentials: { encryption_key: key.toString('hex') },
    });
    const page = (site: SiteSettings) =>
      renderPage(site, { title: 't', page: 'about', content: markup`` });
    const site = siteSettings(on, '1', false);
    expect(page({ ...site, user: 'ada' })).toContain('href="/auth/connections"');
    expect(page(site)).not.toContain('auth/connections');
    const off = siteSettings(parseConfig({ BinderHub: hub }), '1', false);
    expect(page({ ...off, user: 'ada' })).not.toContain('auth/connections');
  });
});
