import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviders, type ProviderDeps } from '../../api/providers/create-providers.js';
import type { ProviderRegistry } from '../../api/providers/provider-entry.js';
import { parseConfig } from '../../queue/config/index.js';
import { redirect } from '../helpers/data-server.js';
import { DataServices } from '../helpers/data-services.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';

// HydroShare, CKAN and Software Heritage resolution, and the request limits every data
// provider has, against stand-ins on loopback answering in the services' documented
// formats (the real services cannot be reached from here).

const RESOURCE = '8f7c2f0341ef4180b0dbe97f59130756';
const DIR = '0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4';
const REV = '1479e0252b2e648bb755ee913292b79495931717';
// 2024-03-01T10:20:30 UTC
const EPOCH = 1709288430;

describe('HydroShare, CKAN and Software Heritage: resolution', () => {
  let d: DataServices;
  let trap: RecordingServer;
  let providers: ProviderRegistry;
  const resolve = (prefix: string, spec: string) =>
    providers.get(prefix)!.create(spec).resolveRef();
  const ckanSpec = (path: string) => encodeURIComponent(`${d.server.origin}/ckan/dataset/${path}`);

  function configure(limits: NonNullable<ProviderDeps['dataLimits']> = {}) {
    const config = parseConfig({
      // The CKAN stand-in is a site like any: on loopback only because this port is allowed.
      GitRepoProvider: { allowed_private_hosts: [new URL(d.url).host] },
      HydroshareProvider: { url: d.url },
      SoftwareHeritageProvider: { api_url: `${d.url}api/1/`, token: 'swh-test-token' },
    });
    providers = createProviders(config, { dataLimits: { notFoundMs: 300, ...limits } });
  }

  beforeAll(async () => {
    d = await DataServices.start();
    trap = await startRecordingServer();
    d.hydroshare.set(RESOURCE, { modified: '2024-03-01T10:20:30.123456Z', files: {} });
    d.ckan.set('sample_dataset-1', {
      modified: '2024-03-01T10:20:30.123456',
      activities: { 'act-1': '2023-01-01T00:00:00.000001' },
      files: {},
    });
    d.swhDirs.set(DIR, {});
    d.swhRevs.set(REV, DIR);
  });
  afterAll(async () => {
    await d?.close();
    await trap?.close();
  });
  beforeEach(() => {
    configure();
    d.server.requests.length = 0;
  });

  describe('hydroshare', () => {
    it('the last change of the resource, by id, URL or DOI; revalidated until it changes', async () => {
      for (const spec of [
        RESOURCE,
        `10.4211%2Fhs.${RESOURCE}`,
        encodeURIComponent(`${d.url}resource/${RESOURCE}/`),
      ])
        expect(await resolve('hydroshare', spec)).toBe(`${RESOURCE}.v${EPOCH}`);
      const asked = d.server.requestsTo(`/hsapi/resource/${RESOURCE}/scimeta/elements`);
      expect(asked).toHaveLength(3);
      expect(asked[2]!.headers['if-none-match']).toBeDefined();
      d.hydroshare.get(RESOURCE)!.modified = '2024-03-02T00:00:00.5Z';
      expect(await resolve('hydroshare', RESOURCE)).toBe(`${RESOURCE}.v1709337600`);
      d.hydroshare.get(RESOURCE)!.modified = '2024-03-01T10:20:30.123456Z';
    });

    it('404, a redirect, malformed JSON, no modification date, 5xx and rate limits', async () => {
      expect(await resolve('hydroshare', 'a'.repeat(32))).toBeNull();
      const moved = d.server.fault(
        `/hsapi/resource/${'b'.repeat(32)}/`,
        redirect(`/hsapi/resource/${RESOURCE}/scimeta/elements`, 308),
      );
      expect(await resolve('hydroshare', 'b'.repeat(32))).toBe(`${'b'.repeat(32)}.v${EPOCH}`);
      moved();
      const elements = `/hsapi/resource/${RESOURCE}/`;
      for (const [answer, message] of [
        [{ body: '{"dates": [' }, /^HydroShare sent malformed JSON/],
        [
          { body: { dates: [{ type: 'created', start_date: '2020-01-01T00:00:00' }] } },
          /no "modified" date/,
        ],
        [
          { body: { dates: [{ type: 'modified', start_date: 'yesterday' }] } },
          /unexpected date "yesterday"/,
        ],
        [{ status: 503 }, /^HydroShare is not working right now \(HTTP 503/],
        [
          { status: 429, headers: { 'retry-after': '30' } },
          /^HydroShare rate limit exceeded .* Try again in 1 minutes\.$/,
        ],
      ] as const) {
        const undo = d.server.fault(elements, answer);
        await expect(resolve('hydroshare', RESOURCE)).rejects.toThrowError(message);
        undo();
      }
    });
  });

  describe('ckan', () => {
    it('package_show for the current version, asked each time; activity_data_show for a past one, for good', async () => {
      expect(await resolve('ckan', ckanSpec('sample_dataset-1'))).toBe(
        `sample_dataset-1.v${EPOCH}`,
      );
      expect(
        d.server.requestsTo('/ckan/api/3/action/package_show?id=sample_dataset-1'),
      ).toHaveLength(1);
      const past = ckanSpec('sample_dataset-1/history/act-1');
      expect(await resolve('ckan', past)).toBe('sample_dataset-1.v1672531200');
      expect(await resolve('ckan', past)).toBe('sample_dataset-1.v1672531200');
      expect(await resolve('ckan', ckanSpec('sample_dataset-1?activity_id=act-1'))).toBe(
        'sample_dataset-1.v1672531200',
      );
      expect(
        d.server.requestsTo('/ckan/api/3/action/activity_data_show?id=act-1&object_type=package'),
      ).toHaveLength(2);
    });

    it('404, a redirect, malformed JSON, 5xx and rate limits', async () => {
      expect(await resolve('ckan', ckanSpec('no-such-dataset'))).toBeNull();
      const moved = d.server.fault(
        '/ckan/api/3/action/package_show?id=moved',
        redirect('/ckan/api/3/action/package_show?id=sample_dataset-1'),
      );
      expect(await resolve('ckan', ckanSpec('moved'))).toBe(`moved.v${EPOCH}`);
      moved();
      for (const [answer, message] of [
        [{ body: 'Internal error<html>' }, /^CKAN sent malformed JSON/],
        [
          { body: { success: true, result: {} } },
          /^CKAN sent an unexpected answer .*result\.metadata_modified/,
        ],
        [{ status: 500 }, /^CKAN is not working right now/],
        [{ status: 429 }, /^CKAN rate limit exceeded/],
      ] as const) {
        const undo = d.server.fault('/ckan/api/', answer);
        await expect(resolve('ckan', ckanSpec('sample_dataset-1'))).rejects.toThrowError(message);
        undo();
      }
    });

    it('a site on a private address that is not allowed is refused without connecting', async () => {
      const spec = encodeURIComponent(`${trap.origin}/dataset/x`);
      await expect(resolve('ckan', spec)).rejects.toThrowError(
        /private or local addresses are not allowed here/,
      );
      const viaRedirect = d.server.fault(
        '/ckan/api/3/action/package_show?id=away',
        redirect(`${trap.origin}/api`),
      );
      await expect(resolve('ckan', ckanSpec('away'))).rejects.toThrowError(
        /private or local addresses/,
      );
      viaRedirect();
      expect(trap.connections).toBe(0);
    });
  });

  describe('swhid', () => {
    it('a directory is its own ref; a revision leads to its directory; both for good, with the token', async () => {
      expect(await resolve('swhid', `swh:1:dir:${DIR}`)).toBe(DIR);
      expect(await resolve('swhid', `swh:1:rev:${REV};origin=https://github.com/org/repo`)).toBe(
        DIR,
      );
      expect(await resolve('swhid', `swh:1:rev:${REV}`)).toBe(DIR);
      expect(d.server.requests.map((r) => r.path)).toEqual([
        `/api/1/resolve/swh:1:dir:${DIR}/`,
        `/api/1/resolve/swh:1:rev:${REV}/`,
        `/api/1/revision/${REV}/`,
      ]);
      expect(
        d.server.requests.every((r) => r.headers.authorization === 'Bearer swh-test-token'),
      ).toBe(true);
    });

    it('404, a redirect, malformed JSON, another object, 5xx and rate limits', async () => {
      expect(await resolve('swhid', `swh:1:dir:${'1'.repeat(40)}`)).toBeNull();
      const moved = d.server.fault(`/api/1/revision/${REV}/`, redirect(`/api/1/revision/${REV}/`));
      d.swhRevs.set('4'.repeat(40), DIR);
      const slash = d.server.fault(
        `/api/1/revision/${'4'.repeat(40)}/`,
        redirect(`/api/1/revision/${REV}/`, 301),
      );
      moved();
      expect(await resolve('swhid', `swh:1:rev:${'4'.repeat(40)}`)).toBe(DIR);
      slash();
      const rev = `swh:1:rev:${'2'.repeat(40)}`;
      d.swhRevs.set('2'.repeat(40), 'not-a-directory-id');
      await expect(resolve('swhid', rev)).rejects.toThrowError(/unexpected answer .*directory/);
      const now = Math.floor(Date.now() / 1000);
      for (const [answer, message] of [
        [{ body: '{"object_type": ' }, /^Software Heritage sent malformed JSON/],
        [
          { body: { object_type: 'content', object_id: DIR } },
          /resolved swh:1:dir:.* to another object/,
        ],
        [{ status: 502 }, /^Software Heritage is not working right now/],
        [
          { status: 429, headers: { 'x-ratelimit-reset': String(now + 3000) } },
          /Try again in 50 minutes\.$/,
        ],
      ] as const) {
        const undo = d.server.fault('/api/1/resolve/', answer);
        await expect(resolve('swhid', `swh:1:dir:${'3'.repeat(40)}`)).rejects.toThrowError(message);
        undo();
      }
    });
  });

  describe('request limits (every data provider)', () => {
    it('a server that does not answer in time, or answers too much, is a clear error', async () => {
      configure({ timeoutMs: 300, maxBytes: 1000 });
      d.server.route((_req, url) =>
        url.pathname.startsWith('/slow/') ? new Promise(() => {}) : undefined,
      );
      const slow = d.server.fault(`/hsapi/resource/${RESOURCE}/`, redirect('/slow/x'));
      await expect(resolve('hydroshare', RESOURCE)).rejects.toThrowError(
        /^127\.0\.0\.1:\d+ did not answer within 0\.3 s$/,
      );
      slow();
      const big = d.server.fault(`/hsapi/resource/${RESOURCE}/`, {
        body: { dates: [], pad: 'x'.repeat(5000) },
      });
      await expect(resolve('hydroshare', RESOURCE)).rejects.toThrowError(
        /^127\.0\.0\.1:\d+ sent more than 1000 bytes$/,
      );
      big();
    });

    it('at most 5 redirects, and only to http(s)', async () => {
      const loop = d.server.fault(
        '/ckan/api/3/action/package_show?id=loop',
        redirect('/ckan/api/3/action/package_show?id=loop'),
      );
      await expect(resolve('ckan', ckanSpec('loop'))).rejects.toThrowError(
        /^Too many redirects from .* \(more than 5\)$/,
      );
      loop();
      const file = d.server.fault(
        '/ckan/api/3/action/package_show?id=file',
        redirect('file:///etc/passwd'),
      );
      await expect(resolve('ckan', ckanSpec('file'))).rejects.toThrowError(
        'Refusing to fetch file: URLs (file:///etc/passwd)',
      );
      file();
    });
  });
});
