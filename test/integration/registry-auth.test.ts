import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerRegistry } from '../../api/registry/docker-registry.js';
import {
  RegistryApiError,
  RegistryV2Client,
} from '../../api/registry-cleaner/registry-v2-client.js';
import { RegistryUnavailableError } from '../../api/registry/image-registry.js';
import {
  htpasswdLine,
  pushMinimalImage,
  startRegistry,
  type RegistryServer,
} from '../helpers/registry-server.js';

// Real docker-registry processes on loopback: one with basic (htpasswd) auth, one with
// token auth backed by a token server this test runs, and one answering 503.

const USER = 'binder';
const PASSWORD = 's3cret-pw';
const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

describe('registry client auth flows against a real registry', () => {
  let htpasswdRegistry: RegistryServer;
  let tokenRegistry: RegistryServer;
  let tokenServer: Server;
  let tokenRequests = 0;
  let failing: Server;
  let failingHits = 0;
  let tokenUrl = '';
  let failingUrl = '';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bhts-auth-'));
    writeFileSync(join(dir, 'htpasswd'), `${await htpasswdLine(USER, PASSWORD)}\n`);
    htpasswdRegistry = await startRegistry([
      'auth:',
      '  htpasswd:',
      '    realm: test',
      `    path: ${join(dir, 'htpasswd')}`,
    ]);
    await pushMinimalImage(htpasswdRegistry.url, 'binder-present', 'abc', basic);

    // Token auth: a self-signed certificate whose key signs the registry tokens (x5c header).
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=bhts-test-token',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    const key = createPrivateKey(readFileSync(join(dir, 'key.pem')));
    const { stdout: derOut } = await promisify(execFile)(
      'openssl',
      ['x509', '-in', join(dir, 'cert.pem'), '-outform', 'DER'],
      { encoding: 'buffer' },
    );
    const der = derOut.toString('base64');
    tokenServer = createServer(async (req, res) => {
      tokenRequests++;
      const u = new URL(req.url!, 'http://x');
      if (req.headers.authorization !== basic) return void res.writeHead(401).end();
      const scope = u.searchParams.get('scope') ?? '';
      const [, name = '', actions = ''] = scope.split(':');
      const token = await new SignJWT({
        access: [{ type: 'repository', name, actions: actions.split(',') }],
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5c: [der] })
        .setIssuer('bhts-test-issuer')
        .setSubject(USER)
        .setAudience(u.searchParams.get('service') ?? '')
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime('5m')
        .setJti(String(tokenRequests))
        .sign(key);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
    });
    await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
    tokenUrl = `http://127.0.0.1:${(tokenServer.address() as { port: number }).port}/token`;
    tokenRegistry = await startRegistry([
      'auth:',
      '  token:',
      `    realm: ${tokenUrl}`,
      '    service: bhts-test-registry',
      '    issuer: bhts-test-issuer',
      `    rootcertbundle: ${join(dir, 'cert.pem')}`,
    ]);
    failing = createServer((_req, res) => {
      failingHits++;
      res.writeHead(503).end('unavailable');
    });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    failingUrl = `http://127.0.0.1:${(failing.address() as { port: number }).port}`;
  }, 60_000);

  afterAll(() => {
    htpasswdRegistry?.close();
    tokenRegistry?.close();
    tokenServer?.close();
    failing?.close();
  });

  const host = (url: string) => url.replace('http://', '');

  it('basic auth: finds a present image and reports an absent one as absent', async () => {
    const r = new DockerRegistry({ url: htpasswdRegistry.url, username: USER, password: PASSWORD });
    expect(await r.hasImage(`${host(htpasswdRegistry.url)}/binder-present:abc`)).toBe(true);
    expect(await r.hasImage(`${host(htpasswdRegistry.url)}/binder-present:other`)).toBe(false);
    expect(await r.hasImage(`${host(htpasswdRegistry.url)}/binder-missing:abc`)).toBe(false);
  });

  it('basic auth: wrong credentials are an error, never "absent"', async () => {
    const r = new DockerRegistry({ url: htpasswdRegistry.url, username: USER, password: 'wrong' });
    await expect(
      r.hasImage(`${host(htpasswdRegistry.url)}/binder-present:abc`),
    ).rejects.toBeInstanceOf(RegistryUnavailableError);
  });

  it('token auth: follows the WWW-Authenticate Bearer challenge to the token server', async () => {
    const authorization = await tokenFor('binder-tok', 'pull,push');
    await pushMinimalImage(tokenRegistry.url, 'binder-tok', 'v1', `Bearer ${authorization}`);
    const before = tokenRequests;
    const r = new DockerRegistry({ url: tokenRegistry.url, username: USER, password: PASSWORD });
    expect(await r.hasImage(`${host(tokenRegistry.url)}/binder-tok:v1`)).toBe(true);
    expect(await r.hasImage(`${host(tokenRegistry.url)}/binder-tok:v2`)).toBe(false);
    expect(tokenRequests - before).toBe(1);
  });

  it('token auth: uses a configured DockerRegistry.token_url up front', async () => {
    const before = tokenRequests;
    const r = new DockerRegistry({
      url: tokenRegistry.url,
      username: USER,
      password: PASSWORD,
      tokenUrl: `${tokenUrl}?service=bhts-test-registry`,
    });
    expect(await r.hasImage(`${host(tokenRegistry.url)}/binder-tok:v1`)).toBe(true);
    expect(tokenRequests - before).toBe(1);
  });

  it('registry cleaner: contacts no token realm but the registry host and DockerRegistry.token_url', async () => {
    // The realm is on another port of 127.0.0.1: another origin, refused without token_url.
    const before = tokenRequests;
    const refused = new RegistryV2Client({
      url: tokenRegistry.url,
      username: USER,
      password: PASSWORD,
    });
    await expect(refused.tags('binder-tok')).rejects.toThrow(
      /token realm .* is neither the registry nor DockerRegistry.token_url/,
    );
    expect(tokenRequests).toBe(before);
    const c = new RegistryV2Client({
      url: tokenRegistry.url,
      username: USER,
      password: PASSWORD,
      tokenUrl,
    });
    expect(await c.tags('binder-tok')).toContain('v1');
    const m = await c.manifest('binder-tok', 'v1');
    expect(m?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await c.manifest('binder-tok', 'nope')).toBeUndefined();
    // This registry does not allow deletes: said so, in words an operator can act on.
    const del = c.deleteManifest('binder-tok', m!.digest);
    await expect(del).rejects.toBeInstanceOf(RegistryApiError);
    await expect(del).rejects.toThrow(/refuses deletes.*storage.delete.enabled/);
  });

  it('a registry answering 5xx is retried, then reported unavailable — not absent', async () => {
    const r = new DockerRegistry({ url: failingUrl, attempts: 3 });
    await expect(r.hasImage(`${host(failingUrl)}/binder-x:abc`)).rejects.toBeInstanceOf(
      RegistryUnavailableError,
    );
    expect(failingHits).toBe(3);
  });

  async function tokenFor(name: string, actions: string): Promise<string> {
    const u = new URL(tokenUrl);
    u.searchParams.set('scope', `repository:${name}:${actions}`);
    u.searchParams.set('service', 'bhts-test-registry');
    const res = await fetch(u, { headers: { authorization: basic } });
    return ((await res.json()) as { token: string }).token;
  }
});
