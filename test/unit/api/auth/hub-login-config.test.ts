import { describe, expect, it } from 'vitest';
import { callbackPath, redirectUriFor, safeNext } from '../../../../api/auth/login-flow.js';
import { parseCookies, setCookie } from '../../../../api/auth/cookies.js';
import { parseConfig } from '../../../../queue/config/index.js';
import type { Request, Response } from 'express';

const hub = { hub_url: 'https://hub.example.org/', hub_api_token: 't0k' };

describe('BinderHub.auth_enabled configuration', () => {
  it('is off by default and accepts true with a hub to log in to', () => {
    expect(parseConfig({}).BinderHub.auth_enabled).toBe(false);
    const c = parseConfig({ BinderHub: { ...hub, auth_enabled: true } });
    expect(c.BinderHub.auth_enabled).toBe(true);
    expect(c.HubOAuth).toMatchObject({
      oauth_client_id: 'service-binder',
      oauth_redirect_uri: '',
      cookie_name: 'binderhub-session',
      cookie_secure: 'auto',
    });
  });

  it('names what is missing or contradictory', () => {
    expect(() => parseConfig({ BinderHub: { auth_enabled: true } })).toThrow(
      /BinderHub.hub_url: is required with BinderHub.auth_enabled/,
    );
    expect(() =>
      parseConfig({
        BinderHub: { ...hub, auth_enabled: true },
        LaunchPool: { specs: [{ provider: 'gh', spec: 'a/b/HEAD', size: 1 }] },
      }),
    ).toThrow(/LaunchPool.specs: warm pools start servers for temporary users/);
    expect(() => parseConfig({ HubOAuth: { oauth_client_id: 'binder' } })).toThrow(
      /HubOAuth.oauth_client_id: must start with 'service-'/,
    );
    expect(() =>
      parseConfig({ HubOAuth: { oauth_redirect_uri: 'https://binder.example.org/login' } }),
    ).toThrow(/HubOAuth.oauth_redirect_uri/);
  });

  it("reads upstream's JUPYTERHUB_* variables", () => {
    const c = parseConfig(
      {},
      {
        JUPYTERHUB_ALLOW_NAMED_SERVERS: 'true',
        JUPYTERHUB_NAMED_SERVER_LIMIT_PER_USER: '3',
        JUPYTERHUB_CLIENT_ID: 'service-mybinder',
        JUPYTERHUB_OAUTH_CALLBACK_URL: 'https://binder.example.org/services/binder/oauth_callback',
      },
    );
    expect(c.Launcher.allow_named_servers).toBe(true);
    expect(c.Launcher.named_server_limit_per_user).toBe(3);
    expect(c.HubOAuth.oauth_client_id).toBe('service-mybinder');
    expect(callbackPath(c.HubOAuth.oauth_redirect_uri, '/')).toBe(
      '/services/binder/oauth_callback',
    );
  });
});

describe('login flow helpers', () => {
  it('returns only to paths of this Binder', () => {
    expect(safeNext('/v2/gh/a/b/HEAD?labpath=x', '/')).toBe('/v2/gh/a/b/HEAD?labpath=x');
    expect(safeNext('//evil.example/x', '/')).toBe('/');
    expect(safeNext('/\\evil.example/x', '/')).toBe('/');
    expect(safeNext('https://evil.example/', '/')).toBe('/');
    expect(safeNext('/other/x', '/binder/')).toBe('/binder/');
    expect(safeNext('/binder/v2/x\r\nSet-Cookie: a=b', '/binder/')).toBe('/binder/');
    expect(safeNext(undefined, '/binder/')).toBe('/binder/');
  });

  it('derives the callback from the request unless configured', () => {
    const req = { protocol: 'https', get: () => 'binder.example.org' } as unknown as Request;
    expect(redirectUriFor(req, '', '/b/')).toBe('https://binder.example.org/b/oauth_callback');
    expect(redirectUriFor(req, 'https://x.example/oauth_callback', '/b/')).toBe(
      'https://x.example/oauth_callback',
    );
    expect(callbackPath('', '/b/')).toBe('/b/oauth_callback');
  });

  it('sets HttpOnly, SameSite=Lax cookies, Secure over https or when told', () => {
    const set = (secure: boolean, option: 'auto' | boolean) => {
      const headers: string[] = [];
      const res = { append: (_: string, v: string) => headers.push(v) } as unknown as Response;
      setCookie({ secure } as Request, res, 'binderhub-session', 'id', {
        secure: option,
        path: '/b/',
        maxAge: 60,
      });
      return headers[0]!;
    };
    expect(set(false, 'auto')).toBe(
      'binderhub-session=id; Path=/b/; Max-Age=60; HttpOnly; SameSite=Lax',
    );
    expect(set(true, 'auto')).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    expect(set(false, true)).toMatch(/; Secure$/);
    expect(set(true, false)).not.toMatch(/Secure/);
  });

  it('parses cookies, first of a name wins', () => {
    const c = parseCookies('a=1; binderhub-session=abc; a=2; b="q"; junk');
    expect(c.get('a')).toBe('1');
    expect(c.get('binderhub-session')).toBe('abc');
    expect(c.get('b')).toBe('q');
    expect(c.has('junk')).toBe(false);
  });
});
