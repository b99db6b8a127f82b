import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageName } from '../../queue/repo-specs/build-names.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { DataServices } from '../helpers/data-services.js';
import { phaseSequence, readEventStream } from '../helpers/sse-client.js';
import { requireStack } from '../helpers/stack.js';

// One launch per provider family through /build on the local stack: the api resolves
// against stand-ins of the services on loopback, the runner's repo2docker fetches from
// them with the job's content provider (pointed there by the providers' endpoint traits,
// e.g. `ZenodoProvider.doi_resolver_url` and `hosts`), builds, pushes to the registry, and
// JupyterHub starts the server.

const DIR = randomUUID().replace(/-/g, '').padEnd(40, '0').slice(0, 40);
const REV = randomUUID().replace(/-/g, '').padEnd(40, 'a').slice(0, 40);
const RESOURCE = randomUUID().replace(/-/g, '');

function repository(name: string): Record<string, string> {
  return {
    Dockerfile: `FROM binderhub-ts/jupyter-base:1\nRUN echo "${name} ${randomUUID()}"\n`,
    'README.md': `# ${name}\n`,
  };
}

describe('data repositories, end to end', () => {
  let h: Harness;
  let d: DataServices;
  let dir: string;
  const launched: string[] = [];

  beforeAll(async () => {
    await requireStack();
    d = await DataServices.start();
    dir = await mkdtemp(path.join(tmpdir(), 'bhts-data-e2e-'));
    h = await startHarness({
      config: {
        ZenodoProvider: { doi_resolver_url: `${d.url}doi/`, hosts: [d.url] },
        FigshareProvider: {
          doi_resolver_url: `${d.url}doi/`,
          api_url: `${d.url}v2/`,
          hosts: [d.url],
        },
        DataverseProvider: { doi_resolver_url: `${d.url}doi/` },
        HydroshareProvider: { url: d.url },
        SoftwareHeritageProvider: { api_url: `${d.url}api/1/` },
        EventLog: { sink: 'file', path: path.join(dir, 'events.jsonl') },
      },
    });
  }, 120_000);

  afterAll(async () => {
    for (const url of launched) await h.stopServer(url);
    await h?.close();
    await d?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Launches `/build/<prefix>/<spec>`; the `ready` event's data. */
  async function launch(prefix: string, spec: string): Promise<Record<string, string>> {
    const { events } = await readEventStream(`${h.url}build/${prefix}/${spec}`);
    const phases = phaseSequence(events);
    const ready = events[events.length - 1]!;
    expect(ready.phase, `${phases.join(',')}: ${ready.message}`).toBe('ready');
    for (const p of ['waiting', 'fetching', 'building', 'pushing', 'built', 'launching'])
      expect(phases, phases.join(',')).toContain(p);
    const data = ready.data as Record<string, string>;
    launched.push(data.url!);
    const status = await fetch(`${data.url}api/status?token=${data.token}`);
    expect(status.status).toBe(200);
    return data;
  }

  it('zenodo: a concept DOI, built from the record it resolves to', async () => {
    d.zenodo.set('5000001', repository('zenodo'));
    d.dois.set('10.5281/zenodo.5000000', '/records/5000001');
    const ready = await launch('zenodo', '10.5281/zenodo.5000000');
    expect(ready.repo_url).toBe('10.5281/zenodo.5000000');
    expect(ready.binder_ref_url).toBe('https://doi.org/10.5281/zenodo.5000001');
    expect(ready.image).toBe(
      imageName(h.config.BinderHub.image_prefix, 'zenodo-5000001', '5000001'),
    );
    expect(d.server.requestsTo('/api/records/5000001/files/Dockerfile/content')).toHaveLength(1);
  }, 300_000);

  it('figshare: an unversioned DOI, built from its latest version', async () => {
    d.figshare.set(
      '6000000',
      new Map([
        [1, { Dockerfile: 'FROM scratch\n' }],
        [2, repository('figshare')],
      ]),
    );
    d.dois.set('10.6084/m9.figshare.6000000', '/articles/software/binder/6000000');
    const ready = await launch('figshare', '10.6084/m9.figshare.6000000');
    expect(ready.repo_url).toBe('10.6084/m9.figshare.6000000');
    expect(ready.binder_ref_url).toBe('https://doi.org/10.6084/m9.figshare.6000000.v2');
    expect(ready.image).toMatch(/:6000000\.v2$/);
  }, 300_000);

  it('dataverse: a dataset on the installation the DOI leads to', async () => {
    d.dataverse.set('10.5072/FK2/E2E000', {
      id: 70,
      version: [2, 1],
      files: repository('dataverse'),
    });
    d.dois.set('10.5072/FK2/E2E000', '/dataset.xhtml?persistentId=doi:10.5072/FK2/E2E000');
    const ready = await launch('dataverse', '10.5072/FK2/E2E000');
    expect(ready.repo_url).toBe('10.5072/FK2/E2E000');
    expect(ready.image).toMatch(/binder-.*dataverse-2dfk2-2d2fe2e000-[0-9a-f]{6}:70\.v2\.1$/);
  }, 300_000);

  it('hydroshare: a resource, its bag fetched from the site', async () => {
    d.hydroshare.set(RESOURCE, {
      modified: '2024-03-01T10:20:30.1Z',
      files: repository('hydroshare'),
    });
    const ready = await launch('hydroshare', RESOURCE);
    expect(ready.repo_url).toBe(`${d.url}resource/${RESOURCE}`);
    expect(ready.image).toMatch(new RegExp(`:${RESOURCE}\\.v1709288430$`));
  }, 300_000);

  it('ckan: a dataset on a CKAN site, its resources fetched', async () => {
    d.ckan.set('e2e-data', {
      modified: '2024-03-01T10:20:30.000001',
      activities: {},
      files: repository('ckan'),
    });
    const url = `${d.server.origin}/ckan/dataset/e2e-data`;
    // The home page writes links of providers without refs with a trailing /.
    const ready = await launch('ckan', `${encodeURIComponent(url)}/`);
    expect(ready.repo_url).toBe(url);
    expect(ready.image).toMatch(/:e2e-data\.v1709288430$/);
  }, 300_000);

  it('swhid: a revision, built from its directory out of the vault', async () => {
    d.swhDirs.set(DIR, repository('swhid'));
    d.swhRevs.set(REV, DIR);
    const ready = await launch('swhid', `swh:1:rev:${REV}`);
    expect(ready.repo_url).toBe(`swh:1:rev:${REV}`);
    expect(ready.image).toBe(imageName(h.config.BinderHub.image_prefix, `swhid-${DIR}`, DIR));
    expect(ready.binder_ref_url).toBe(`${d.url}swh:1:dir:${DIR}`);
  }, 300_000);

  it('a provider that fails answers with one failed event saying why, building nothing', async () => {
    const runs = h.buildRuns;
    const missing = await readEventStream(`${h.url}build/zenodo/10.5281/zenodo.404404`);
    expect(missing.events.map((e) => [e.phase, e.message])).toEqual([
      [
        'failed',
        'Could not resolve ref for zenodo:10.5281/zenodo.404404. Double check your URL and that your repo is public.\n',
      ],
    ]);
    const down = d.server.fault('/v2/', { status: 503 });
    d.dois.set('10.6084/m9.figshare.6000001', '/articles/software/binder/6000001');
    d.figshare.set('6000001', new Map([[1, repository('figshare')]]));
    const failing = await readEventStream(`${h.url}build/figshare/10.6084/m9.figshare.6000001`);
    down();
    expect(failing.events).toHaveLength(1);
    expect(failing.events[0]!.message).toMatch(
      /^Error resolving ref for figshare:10\.6084\/m9\.figshare\.6000001: Figshare is not working right now \(HTTP 503 from 127\.0\.0\.1:\d+\)\. Try again later\.\n$/,
    );
    expect(h.buildRuns).toBe(runs);
  });

  it('counts and logs each launch under its provider’s name', async () => {
    const names = ['Zenodo', 'Figshare', 'Dataverse', 'Hydroshare', 'CKAN', 'Software Heritage'];
    const lines = (await readFile(path.join(dir, 'events.jsonl'), 'utf8')).trim().split('\n');
    const launches = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const providers = launches
      .filter((e) => e.schema === 'binderhub.jupyter.org/launch')
      .map((e) => e.provider);
    expect(providers).toEqual(names);
    const api = await (await fetch(`${h.url}metrics`)).text();
    const runner = await h.ops!.metrics.registry.metrics();
    for (const name of names) {
      expect(api).toMatch(
        new RegExp(
          `binderhub_launch_count\\{status="success",provider="${name}",repo="[^"]+"\\} 1`,
        ),
      );
      expect(api).toMatch(
        new RegExp(
          `binderhub_ts_ref_resolutions_total\\{provider="${name}",outcome="resolved"\\} 1`,
        ),
      );
      expect(runner).toMatch(
        new RegExp(`binderhub_build_count\\{status="success",provider="${name}",repo="[^"]+"\\} 1`),
      );
    }
  });
});
