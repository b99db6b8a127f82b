import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../queue/config/index.js';
import { contentAccessFor } from '../../queue/repo-specs/content-access.js';
import { repoSpecFor } from '../../queue/repo-specs/repo-spec-for.js';
import { writeRepo2dockerConfig } from '../../runners/content-provider-config.js';
import { DataServices, type Files } from '../helpers/data-services.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';
import { stackInfo } from '../helpers/stack.js';

// repo2docker's own content providers (the stack's repo2docker 2024.7.0), run with the
// runner's configuration file and environment against the stand-ins, without Docker:
// each fetches exactly what the job's ref names, and the address guard stops every
// connection to a private address that is not allowed. `trap` is such an address.

// Loads the configuration as repo2docker does, then detects and fetches like its `fetch`.
const DRIVER = `
import json, os, sys, tempfile
from repo2docker.app import Repo2Docker
app = Repo2Docker()
app.load_config_file(sys.argv[1])
[provider] = app.content_providers
cp = provider()
spec = cp.detect(sys.argv[2], ref=sys.argv[3])
out = tempfile.mkdtemp()
for line in cp.fetch(spec, out):
    pass
files = {}
for root, _, names in os.walk(out):
    for name in names:
        with open(os.path.join(root, name)) as f:
            files[os.path.relpath(os.path.join(root, name), out)] = f.read()
print(json.dumps({"provider": provider.__name__, "files": files}))
`;

const DIR = '0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4';
const REV = '1479e0252b2e648bb755ee913292b79495931717';
const RESOURCE = '8f7c2f0341ef4180b0dbe97f59130756';

interface Fetched {
  provider: string;
  files: Record<string, string>;
}

describe('repo2docker content providers under the runner’s configuration', () => {
  let d: DataServices;
  let trap: RecordingServer;
  let dir: string;
  let configFile: string;
  let config: Config;

  /** Runs repo2docker's provider for `<prefix>/<spec>` at `ref`; its result, or its error output. */
  async function fetchWith(
    prefix: string,
    spec: string,
    ref: string,
    env: Record<string, string> = {},
  ) {
    const content = await contentAccessFor(config, repoSpecFor(config, prefix, spec)!, ref);
    const python = path.join(path.dirname(stackInfo().repo2dockerPath), 'python');
    return new Promise<{ fetched?: Fetched; error: string }>((resolve) => {
      execFile(
        python,
        ['-c', DRIVER, configFile, content.repo, ref],
        {
          cwd: dir,
          timeout: 60_000,
          env: { PATH: process.env.PATH, HOME: dir, ...content.env, ...env },
        },
        (err, stdout, stderr) =>
          resolve({ fetched: err ? undefined : (JSON.parse(stdout) as Fetched), error: stderr }),
      );
    });
  }

  beforeAll(async () => {
    d = await DataServices.start();
    trap = await startRecordingServer();
    dir = await mkdtemp(path.join(tmpdir(), 'bhts-r2d-cp-'));
    configFile = await writeRepo2dockerConfig(dir);
    const doi = `${d.url}doi/`;
    config = parseConfig({
      GitRepoProvider: { allowed_private_hosts: [new URL(d.url).host] },
      ZenodoProvider: { doi_resolver_url: doi, hosts: [d.url] },
      FigshareProvider: { doi_resolver_url: doi, api_url: `${d.url}v2/`, hosts: [d.url] },
      DataverseProvider: { doi_resolver_url: doi },
      HydroshareProvider: { url: d.url },
      SoftwareHeritageProvider: { api_url: `${d.url}api/1/`, token: 'swh-test-token' },
    });
  });
  afterAll(async () => {
    await d?.close();
    await trap?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('zenodo: the record the ref names, though the concept DOI has moved on', async () => {
    d.zenodo.set('101', { 'a.txt': 'version 1', 'b.txt': 'b' });
    d.zenodo.set('102', { 'a.txt': 'version 2', 'b.txt': 'b' });
    d.dois.set('10.5281/zenodo.100', '/records/102');
    const { fetched, error } = await fetchWith('zenodo', '10.5281/zenodo.100', '101');
    expect(fetched, error).toEqual({
      provider: 'Zenodo',
      files: { 'a.txt': 'version 1', 'b.txt': 'b' },
    });
    // A record API answering malformed JSON fails the build, saying so.
    const malformed = d.server.fault('/api/records/101', { body: '{"links": ' });
    const broken = await fetchWith('zenodo', '10.5281/zenodo.100', '101');
    malformed();
    expect(broken.fetched).toBeUndefined();
    expect(broken.error).toMatch(/JSONDecodeError|Expecting value/);
  });

  it('figshare: the version the ref names (upstream fetched version 1 for an unversioned DOI), any article type', async () => {
    d.figshare.set(
      '200',
      new Map<number, Files>([
        [1, { 'v.txt': 'one' }],
        [2, { 'v.txt': 'two', 'w.txt': 'w' }],
      ]),
    );
    d.dois.set('10.6084/m9.figshare.200', '/articles/software/data/200');
    const { fetched, error } = await fetchWith('figshare', '10.6084/m9.figshare.200', '200.v2');
    expect(fetched, error).toEqual({
      provider: 'Figshare',
      files: { 'v.txt': 'two', 'w.txt': 'w' },
    });
  });

  it('dataverse: any installation the DOI leads to; fails when the dataset changed since', async () => {
    d.dataverse.set('10.5072/FK2/ABCDEF', { id: 7, version: [1, 0], files: { 'data.csv': '1,2' } });
    d.dois.set('10.5072/FK2/ABCDEF', '/dataset.xhtml?persistentId=doi:10.5072/FK2/ABCDEF');
    const ok = await fetchWith('dataverse', '10.5072/FK2/ABCDEF', '7.v1.0');
    expect(ok.fetched, ok.error).toEqual({ provider: 'Dataverse', files: { 'data.csv': '1,2' } });
    const changed = await fetchWith('dataverse', '10.5072/FK2/ABCDEF', '7.v0.9');
    expect(changed.fetched).toBeUndefined();
    expect(changed.error).toMatch(
      /The dataset changed after this build was asked for: it is now 7\.v1\.0, the build is of 7\.v0\.9/,
    );
  });

  it('hydroshare: the bag from the configured site; fails when the resource changed since', async () => {
    d.hydroshare.set(RESOURCE, {
      modified: '2024-03-01T10:20:30.5Z',
      files: { 'notebook.ipynb': '{}' },
    });
    const ok = await fetchWith('hydroshare', RESOURCE, `${RESOURCE}.v1709288430`);
    expect(ok.fetched, ok.error).toEqual({
      provider: 'Hydroshare',
      files: { 'notebook.ipynb': '{}' },
    });
    const changed = await fetchWith('hydroshare', RESOURCE, `${RESOURCE}.v1`);
    expect(changed.error).toMatch(/The resource changed after this build was asked for/);
  });

  it('ckan: the resources of the dataset (site under a path prefix), and of a past activity', async () => {
    d.ckan.set('ds', {
      modified: '2024-03-01T10:20:30.000001',
      activities: { a1: '2023-01-01T00:00:00.5' },
      files: { 'x.txt': 'x' },
    });
    const url = encodeURIComponent(`${d.server.origin}/ckan/dataset/ds`);
    const ok = await fetchWith('ckan', url, 'ds.v1709288430');
    expect(ok.fetched, ok.error).toEqual({ provider: 'CKAN', files: { 'x.txt': 'x' } });
    const past = encodeURIComponent(`${d.server.origin}/ckan/dataset/ds/history/a1`);
    expect((await fetchWith('ckan', past, 'ds.v1672531200')).fetched?.files).toEqual({
      'x.txt': 'x',
    });
    expect((await fetchWith('ckan', url, 'ds.v1672531200')).error).toMatch(
      /The dataset changed after/,
    );
  });

  it('swhid: the resolved directory from the vault, with the token', async () => {
    d.swhDirs.set(DIR, { 'README.md': '# archived' });
    d.swhRevs.set(REV, DIR);
    const { fetched, error } = await fetchWith('swhid', `swh:1:rev:${REV}`, DIR);
    expect(fetched, error).toEqual({ provider: 'Swhid', files: { 'README.md': '# archived' } });
    expect(d.server.requestsTo('/api/1/revision/')).toHaveLength(0);
    const vault = d.server.requestsTo(`/api/1/vault/directory/${DIR}/`);
    expect(vault.length).toBeGreaterThan(0);
    expect(vault.every((r) => r.headers.authorization === 'Bearer swh-test-token')).toBe(true);
  });

  it('the guard: no connection to a private address that is not allowed, however it is reached', async () => {
    // A dataset whose file lives on the trap; a DOI that redirects to it; a name for it.
    d.ckan.set('evil', { modified: '2024-03-01T10:20:30.000001', activities: {}, files: {} });
    const undo = d.server.fault('/ckan/api/3/action/package_show?id=evil', {
      body: {
        success: true,
        result: {
          metadata_modified: '2024-03-01T10:20:30.000001',
          resources: [{ id: 'r', url: `${trap.origin}/secret` }],
        },
      },
    });
    const viaResource = await fetchWith(
      'ckan',
      encodeURIComponent(`${d.server.origin}/ckan/dataset/evil`),
      'evil.v1709288430',
    );
    undo();
    expect(viaResource.error).toMatch(
      /binderhub-ts: 127\.0\.0\.1 has a private or local address \(127\.0\.0\.1\), which builds may not connect to/,
    );
    d.zenodo.set('300', { 'a.txt': 'a', 'b.txt': 'b' });
    d.dois.set('10.5281/zenodo.300', `http://localhost:${trap.port}/records/300`);
    const viaRedirect = await fetchWith('zenodo', '10.5281/zenodo.300', '300');
    expect(viaRedirect.error).toMatch(/binderhub-ts: localhost has a private or local address/);
    expect(trap.connections).toBe(0);
  });

  it('fails closed: without the job’s settings nothing is fetched', async () => {
    d.dois.set('10.5281/zenodo.301', '/records/300');
    const { fetched, error } = await fetchWith('zenodo', '10.5281/zenodo.301', '300', {
      BINDERHUB_CONTENT_PROVIDER: '',
    });
    expect(fetched).toBeUndefined();
    expect(error).toMatch(/JSONDecodeError|BINDERHUB_CONTENT_PROVIDER/);
  });
});
