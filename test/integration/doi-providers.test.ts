import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviders } from '../../api/providers/create-providers.js';
import type { ProviderRegistry } from '../../api/providers/provider-entry.js';
import { ResolveError } from '../../api/providers/repo-provider.js';
import { parseConfig } from '../../queue/config/index.js';
import { page, redirect } from '../helpers/data-server.js';
import { DataServices } from '../helpers/data-services.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';

// Zenodo, Figshare and Dataverse resolution against stand-ins of doi.org and the services
// on loopback, answering in their documented formats (the real services cannot be reached
// from here). The stand-ins are configured endpoints (allowed although on 127.0.0.1); the
// `trap` listener is a loopback port nobody allowed.

describe('DOI providers: resolution', () => {
  let d: DataServices;
  let trap: RecordingServer;
  let providers: ProviderRegistry;
  const outcomes: string[] = [];
  const resolve = (prefix: string, spec: string) =>
    providers.get(prefix)!.create(spec).resolveRef();

  beforeAll(async () => {
    d = await DataServices.start();
    trap = await startRecordingServer();
  });
  afterAll(async () => {
    await d?.close();
    await trap?.close();
  });

  beforeEach(() => {
    const doi = `${d.url}doi/`;
    const config = parseConfig({
      ZenodoProvider: { doi_resolver_url: doi, hosts: [d.url] },
      FigshareProvider: { doi_resolver_url: doi, api_url: `${d.url}v2/`, hosts: [d.url] },
      DataverseProvider: { doi_resolver_url: doi },
    });
    providers = createProviders(config, {
      onResolution: (provider, outcome) => outcomes.push(`${provider} ${outcome}`),
      dataLimits: { notFoundMs: 300 },
    });
    outcomes.length = 0;
    d.server.requests.length = 0;
    d.dois.clear();
  });

  describe('zenodo', () => {
    beforeAll(() => {
      d.zenodo.set('3242074', { Dockerfile: 'FROM x\n' });
      d.zenodo.set('3242080', { Dockerfile: 'FROM y\n' });
    });

    it('a versioned DOI resolves to its record, for good (no second request)', async () => {
      d.dois.set('10.5281/zenodo.3242074', '/records/3242074');
      expect(await resolve('zenodo', '10.5281/zenodo.3242074')).toBe('3242074');
      const asked = d.server.requests.length;
      expect(await resolve('zenodo', '10.5281/zenodo.3242074')).toBe('3242074');
      expect(d.server.requests.length).toBe(asked);
      expect(outcomes).toEqual(['Zenodo resolved', 'Zenodo cached']);
    });

    it('a concept DOI resolves to the latest version, asked again each time; redirects followed', async () => {
      d.dois.set('10.5281/zenodo.3242073', '/concept/3242073');
      d.server.route((_req, url) =>
        url.pathname === '/concept/3242073' ? redirect('/records/3242074', 301) : undefined,
      );
      expect(await resolve('zenodo', '10.5281/zenodo.3242073')).toBe('3242074');
      // A new version is published: the concept now leads to it.
      const published = d.server.fault('/records/3242074', redirect('/records/3242080'));
      expect(await resolve('zenodo', '10.5281/zenodo.3242073')).toBe('3242080');
      expect(d.server.requestsTo('/doi/10.5281/zenodo.3242073')).toHaveLength(2);
      published();
    });

    it('a DOI that does not exist: null, remembered briefly', async () => {
      expect(await resolve('zenodo', '10.5281/zenodo.1')).toBeNull();
      expect(await resolve('zenodo', '10.5281/zenodo.1')).toBeNull();
      expect(d.server.requestsTo('/doi/10.5281/zenodo.1')).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 350));
      d.dois.set('10.5281/zenodo.1', '/records/3242074');
      expect(await resolve('zenodo', '10.5281/zenodo.1')).toBe('3242074');
      expect(outcomes).toEqual(['Zenodo not_found', 'Zenodo cached', 'Zenodo resolved']);
    });

    it('5xx, rate limiting and a DOI leading elsewhere are clear errors', async () => {
      const undo = d.server.fault('/doi/', { status: 503, body: 'down' });
      await expect(resolve('zenodo', '10.5281/zenodo.2')).rejects.toThrowError(
        /^Zenodo is not working right now \(HTTP 503 from 127\.0\.0\.1:\d+\)\. Try again later\.$/,
      );
      undo();
      const limited = d.server.fault('/doi/', { status: 429, headers: { 'retry-after': '120' } });
      await expect(resolve('zenodo', '10.5281/zenodo.2')).rejects.toThrowError(
        /^Zenodo rate limit exceeded \(HTTP 429 from 127\.0\.0\.1:\d+\)\. Try again in 2 minutes\.$/,
      );
      limited();
      d.dois.set('10.5281/zenodo.3', '/elsewhere/3');
      const elsewhere = d.server.fault('/elsewhere/', page('not a record'));
      await expect(resolve('zenodo', '10.5281/zenodo.3')).rejects.toThrowError(
        /^10\.5281\/zenodo\.3 is not a Zenodo record: it resolves to http:\/\/127\.0\.0\.1:\d+\/elsewhere\/3/,
      );
      elsewhere();
      expect(outcomes).toEqual(['Zenodo error', 'Zenodo error', 'Zenodo error']);
    });

    it('a DOI redirecting to a private address is refused without connecting', async () => {
      d.dois.set('10.5281/zenodo.4', `${trap.origin}/records/4`);
      const err = await resolve('zenodo', '10.5281/zenodo.4').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResolveError);
      expect((err as Error).message).toMatch(/private or local addresses are not allowed here/);
      expect(trap.connections).toBe(0);
    });
  });

  describe('figshare', () => {
    beforeAll(() => {
      d.figshare.set(
        '9782777',
        new Map([
          [1, { Dockerfile: 'v1' }],
          [2, { Dockerfile: 'v2' }],
        ]),
      );
    });

    it('a versioned DOI: its own version, for good, without asking the API', async () => {
      d.dois.set('10.6084/m9.figshare.9782777.v1', '/articles/dataset/binder/9782777/1');
      expect(await resolve('figshare', '10.6084/m9.figshare.9782777.v1')).toBe('9782777.v1');
      expect(await resolve('figshare', '10.6084/m9.figshare.9782777.v1')).toBe('9782777.v1');
      expect(d.server.requestsTo('/v2/')).toHaveLength(0);
      expect(d.server.requestsTo('/doi/')).toHaveLength(1);
    });

    it('an unversioned DOI: the latest version, revalidated with ETags until it changes', async () => {
      d.dois.set('10.6084/m9.figshare.9782777', '/articles/dataset/binder/9782777');
      expect(await resolve('figshare', '10.6084/m9.figshare.9782777')).toBe('9782777.v2');
      expect(await resolve('figshare', '10.6084/m9.figshare.9782777')).toBe('9782777.v2');
      const [first, second] = d.server.requestsTo('/v2/articles/9782777/versions');
      expect(first!.headers['if-none-match']).toBeUndefined();
      expect(second!.headers['if-none-match']).toMatch(/^"[0-9a-f]{16}"$/);
      d.figshare.get('9782777')!.set(3, { Dockerfile: 'v3' });
      expect(await resolve('figshare', '10.6084/m9.figshare.9782777')).toBe('9782777.v3');
    });

    it('404 (DOI or article), malformed JSON, 5xx and rate limits', async () => {
      expect(await resolve('figshare', '10.6084/m9.figshare.1')).toBeNull();
      d.dois.set('10.6084/m9.figshare.5', '/articles/dataset/binder/5');
      d.figshare.set('5', new Map());
      d.server.route((_req, url) =>
        url.pathname === '/articles/dataset/binder/5' ? { body: 'page' } : undefined,
      );
      await expect(resolve('figshare', '10.6084/m9.figshare.5')).rejects.toThrowError(
        'Article 5 has no versions',
      );
      const malformed = d.server.fault('/v2/articles/5/', { body: '[{"version": 1,' });
      await expect(resolve('figshare', '10.6084/m9.figshare.5')).rejects.toThrowError(
        /^Figshare sent malformed JSON \(http:\/\/127\.0\.0\.1:\d+\/v2\/articles\/5\/versions\)/,
      );
      malformed();
      const odd = d.server.fault('/v2/articles/5/', { body: [{ version: 'one' }] });
      await expect(resolve('figshare', '10.6084/m9.figshare.5')).rejects.toThrowError(
        /Figshare sent an unexpected answer .*: 0\.version: /,
      );
      odd();
      const down = d.server.fault('/v2/', { status: 502 });
      await expect(resolve('figshare', '10.6084/m9.figshare.5')).rejects.toThrowError(/HTTP 502/);
      down();
      const now = Math.floor(Date.now() / 1000);
      const limited = d.server.fault('/v2/', {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now + 600) },
      });
      await expect(resolve('figshare', '10.6084/m9.figshare.5')).rejects.toThrowError(
        /^Figshare rate limit exceeded \(HTTP 403 .*\)\. Try again in 10 minutes\.$/,
      );
      limited();
      d.figshare.delete('5');
      expect(await resolve('figshare', '10.6084/m9.figshare.5')).toBeNull();
    });
  });

  describe('dataverse', () => {
    beforeAll(() => {
      d.dataverse.set('10.7910/DVN/TJCLKP', {
        id: 3035124,
        version: [3, 0],
        files: { Dockerfile: 'x' },
      });
    });

    it('follows the DOI to the installation and asks its native API for the latest version', async () => {
      d.dois.set('10.7910/DVN/TJCLKP', '/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP');
      expect(await resolve('dataverse', '10.7910/DVN/TJCLKP')).toBe('3035124.v3.0');
      const [api] = d.server.requestsTo('/api/datasets/');
      expect(api!.path).toBe('/api/datasets/:persistentId?persistentId=doi:10.7910/DVN/TJCLKP');
      d.dataverse.get('10.7910/DVN/TJCLKP')!.version = [3, 1];
      expect(await resolve('dataverse', '10.7910/DVN/TJCLKP')).toBe('3035124.v3.1');
      // The DOI in other case: the same dataset.
      d.dois.set('10.7910/dvn/tjclkp', '/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP');
      expect(await resolve('dataverse', '10.7910/dvn/tjclkp')).toBe('3035124.v3.1');
    });

    it('refuses a DOI that is not the dataset’s own, an answer that is not OK, and private hosts', async () => {
      d.dois.set('10.7910/DVN/TJCLKP/FILE01', '/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP');
      await expect(resolve('dataverse', '10.7910/DVN/TJCLKP/FILE01')).rejects.toThrowError(
        /is not the DOI of a dataset: .* answered with dataset 10\.7910\/DVN\/TJCLKP/,
      );
      d.dois.set('10.7910/DVN/X', '/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP');
      const failing = d.server.fault('/api/datasets/', { body: { status: 'ERROR', message: 'x' } });
      await expect(resolve('dataverse', '10.7910/DVN/X')).rejects.toThrowError(
        /unexpected answer .*status/,
      );
      failing();
      const malformed = d.server.fault('/api/datasets/', { body: '{"status": "OK", "data": ' });
      await expect(resolve('dataverse', '10.7910/DVN/X')).rejects.toThrowError(
        /Dataverse sent malformed JSON/,
      );
      malformed();
      d.dois.set(
        '10.7910/DVN/TRAP',
        `${trap.origin}/dataset.xhtml?persistentId=doi:10.7910/DVN/TRAP`,
      );
      await expect(resolve('dataverse', '10.7910/DVN/TRAP')).rejects.toThrowError(
        /private or local addresses/,
      );
      expect(trap.connections).toBe(0);
    });

    it('404, 5xx and rate limits of the installation', async () => {
      d.dois.set('10.7910/DVN/GONE', '/dataset.xhtml?persistentId=doi:10.7910/DVN/GONE');
      expect(await resolve('dataverse', '10.7910/DVN/GONE')).toBeNull();
      d.dois.set('10.7910/DVN/TJCLKP', '/dataset.xhtml?persistentId=doi:10.7910/DVN/TJCLKP');
      const down = d.server.fault('/api/datasets/', { status: 500 });
      await expect(resolve('dataverse', '10.7910/DVN/TJCLKP')).rejects.toThrowError(
        /^Dataverse is not working right now \(HTTP 500/,
      );
      down();
      const limited = d.server.fault('/api/datasets/', { status: 429 });
      await expect(resolve('dataverse', '10.7910/DVN/TJCLKP')).rejects.toThrowError(
        /^Dataverse rate limit exceeded \(HTTP 429 .*\)\. Try again later\.$/,
      );
      limited();
    });
  });
});
