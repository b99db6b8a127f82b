import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DataServer, page, redirect, type Answer } from './data-server.js';
import { stackInfo } from './stack.js';

/** File name → content. */
export type Files = Record<string, string>;

export interface DataverseDataset {
  id: number;
  version: [number, number];
  files: Files;
}

export interface CkanDataset {
  modified: string;
  /** Activity id → metadata_modified of the dataset at that activity. */
  activities: Record<string, string>;
  files: Files;
}

// Builds a zip (HydroShare bag) or tar.gz (Software Heritage vault) of files under a root.
const ARCHIVE_PY = `
import io, json, sys, tarfile, zipfile
kind, root, out = sys.argv[1], sys.argv[2], sys.argv[3]
files = json.loads(sys.stdin.read())
if kind == "zip":
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(f"{root}/{name}", text)
else:
    with tarfile.open(out, "w:gz") as t:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{root}/{name}")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
`;

async function archive(kind: 'zip' | 'tgz', root: string, files: Files): Promise<Buffer> {
  const python = path.join(path.dirname(stackInfo().repo2dockerPath), 'python');
  const dir = await mkdtemp(path.join(tmpdir(), 'bhts-archive-'));
  try {
    const out = path.join(dir, 'archive');
    const child = promisify(execFile)(python, ['-c', ARCHIVE_PY, kind, root, out]);
    child.child.stdin!.end(JSON.stringify(files));
    await child;
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Stand-ins of the data services on one loopback server, answering in each service's
 * documented format (what the api resolves with, and what repo2docker fetches):
 * a DOI resolver (`/doi/<doi>` → redirect), Zenodo (InvenioRDM records API), the Figshare
 * API, a Dataverse installation (native API), HydroShare (hsapi, bags), a CKAN site under
 * `/ckan/` (action API) and the Software Heritage API (resolve, revision, vault).
 */
export class DataServices {
  readonly dois = new Map<string, string>();
  readonly zenodo = new Map<string, Files>();
  /** Article id → version → files. */
  readonly figshare = new Map<string, Map<number, Files>>();
  /** By DOI. */
  readonly dataverse = new Map<string, DataverseDataset>();
  /** Resource id → last change and files. */
  readonly hydroshare = new Map<string, { modified: string; files: Files }>();
  /** By dataset name. */
  readonly ckan = new Map<string, CkanDataset>();
  readonly swhDirs = new Map<string, Files>();
  /** Revision → its directory. */
  readonly swhRevs = new Map<string, string>();

  private constructor(readonly server: DataServer) {}

  static async start(): Promise<DataServices> {
    const services = new DataServices(await new DataServer().start());
    services.install();
    return services;
  }

  get url(): string {
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private install(): void {
    const o = () => this.server.origin;
    const s = this.server;
    s.route((_req, url) => {
      const doi = /^\/doi\/(.+)$/.exec(url.pathname)?.[1];
      const target = doi && this.dois.get(doi);
      return target ? redirect(new URL(target, o()).href) : undefined;
    });
    s.route((_req, url) => this.zenodoAnswer(url.pathname));
    s.route((_req, url) => this.figshareAnswer(url.pathname));
    s.route((_req, url) => this.dataverseAnswer(url));
    s.route((_req, url) => this.hydroshareAnswer(url.pathname));
    s.route((_req, url) => this.ckanAnswer(url));
    s.route((_req, url) => this.swhAnswer(url.pathname));
  }

  private zenodoAnswer(p: string): Answer | undefined {
    const m = /^\/(api\/)?records\/(\d+)(\/files(?:\/([^/]+)\/content)?)?$/.exec(p);
    const files = m && this.zenodo.get(m[2]!);
    if (!m || !files) return undefined;
    const [, api, id, list, key] = m;
    const filesUrl = `${this.server.origin}/api/records/${id}/files`;
    if (!api) return list ? undefined : page(`Zenodo record ${id}`);
    if (key) return files[key] === undefined ? undefined : { body: files[key] };
    if (list) {
      const entries = Object.keys(files).map((k) => ({
        key: k,
        size: files[k]!.length,
        links: { content: `${filesUrl}/${k}/content` },
      }));
      return { body: { enabled: true, entries } };
    }
    const metadata = { title: `record ${id}`, upload_type: 'software' };
    return { body: { id: Number(id), metadata, links: { files: filesUrl } } };
  }

  private figshareAnswer(p: string): Answer | undefined {
    const landing = /^\/articles\/[^/]+\/[^/]+\/(\d+)(?:\/(\d+))?$/.exec(p);
    if (landing && this.figshare.has(landing[1]!)) return page(`article ${landing[1]}`);
    const file = /^\/ndownloader\/(\d+)\/(\d+)\/([^/]+)$/.exec(p);
    if (file) return { body: this.figshare.get(file[1]!)?.get(Number(file[2]))?.[file[3]!] };
    const api = /^\/v2\/articles\/(\d+)\/versions(?:\/(\d+))?$/.exec(p);
    const versions = api && this.figshare.get(api[1]!);
    if (!api || !versions) return undefined;
    const [, id, v] = api;
    const versionUrl = (n: number) => `${this.server.origin}/v2/articles/${id}/versions/${n}`;
    if (!v) return { body: [...versions.keys()].map((n) => ({ version: n, url: versionUrl(n) })) };
    const files = versions.get(Number(v));
    if (!files) return undefined;
    const list = Object.keys(files).map((name, i) => ({
      id: i + 1,
      name,
      size: files[name]!.length,
      is_link_only: false,
      download_url: `${this.server.origin}/ndownloader/${id}/${v}/${name}`,
    }));
    return { body: { id: Number(id), version: Number(v), files: list } };
  }

  private dataverseAnswer(url: URL): Answer | undefined {
    const doi = url.searchParams.get('persistentId')?.replace(/^doi:/, '') ?? '';
    const file = /^\/api\/access\/datafile\/(\d+)$/.exec(url.pathname);
    if (file) {
      for (const d of this.dataverse.values()) {
        const name = Object.keys(d.files)[Number(file[1]) - d.id * 100];
        if (name !== undefined) return { body: d.files[name] };
      }
    }
    const dataset = this.dataverse.get(doi);
    if (!dataset) return undefined;
    if (url.pathname === '/dataset.xhtml') return page(`dataset ${doi}`);
    if (url.pathname !== '/api/datasets/:persistentId') return undefined;
    const slash = doi.indexOf('/');
    const files = Object.keys(dataset.files).map((label, i) => ({
      label,
      restricted: false,
      dataFile: { id: dataset.id * 100 + i, filename: label, contentType: 'text/plain' },
    }));
    const [major, minor] = dataset.version;
    const latestVersion = {
      versionNumber: major,
      versionMinorNumber: minor,
      versionState: 'RELEASED',
      files,
    };
    const data = {
      id: dataset.id,
      identifier: doi.slice(slash + 1),
      authority: doi.slice(0, slash),
      protocol: 'doi',
      persistentUrl: `https://doi.org/${doi}`,
      latestVersion,
    };
    return { body: { status: 'OK', data } };
  }

  private async hydroshareAnswer(p: string): Promise<Answer | undefined> {
    const m =
      /^\/(resource|hsapi\/resource|django_irods\/download\/bags)\/([0-9a-f]{32})(\/scimeta\/elements)?\/?$/.exec(
        p,
      );
    const resource = m && this.hydroshare.get(m[2]!);
    if (!m || !resource) return undefined;
    if (m[1] === 'resource') return page(`resource ${m[2]}`);
    if (m[1] === 'hsapi/resource' && m[3]) {
      const dates = [
        { type: 'created', start_date: '2019-01-01T00:00:00.000000Z' },
        { type: 'modified', start_date: resource.modified },
      ];
      return { body: { title: `resource ${m[2]}`, dates } };
    }
    if (m[1] !== 'django_irods/download/bags' || m[3]) return undefined;
    const files = Object.fromEntries(
      Object.entries(resource.files).map(([k, v]) => [`data/contents/${k}`, v]),
    );
    return {
      headers: { 'content-type': 'application/zip' },
      body: await archive('zip', m[2]!, files),
    };
  }

  private ckanAnswer(url: URL): Answer | undefined {
    const p = url.pathname;
    if (p === '/ckan/api/3/action/status_show')
      return {
        body: {
          success: true,
          result: { ckan_version: '2.10.4', site_url: `${this.server.origin}/ckan` },
        },
      };
    const resource = /^\/ckan\/dataset\/([^/]+)\/resource\/\d+\/download\/([^/]+)$/.exec(p);
    if (resource) return { body: this.ckan.get(resource[1]!)?.files[resource[2]!] };
    const landing = /^\/ckan\/dataset\/([^/]+)/.exec(p);
    if (landing && this.ckan.has(landing[1]!)) return page(`dataset ${landing[1]}`);
    const action = /^\/ckan\/api\/3\/action\/(package_show|activity_data_show)$/.exec(p)?.[1];
    const id = url.searchParams.get('id') ?? '';
    const entry = [...this.ckan].find(([name, d]) =>
      action === 'package_show' ? name === id : id in d.activities,
    );
    if (!action || !entry)
      return action
        ? {
            status: 404,
            body: { success: false, error: { message: 'Not found', __type: 'Not Found Error' } },
          }
        : undefined;
    const [name, dataset] = entry;
    const modified = action === 'package_show' ? dataset.modified : dataset.activities[id]!;
    const resources = Object.keys(dataset.files).map((file, i) => ({
      id: `r${i}`,
      name: file,
      url: `${this.server.origin}/ckan/dataset/${name}/resource/${i}/download/${file}`,
    }));
    return {
      body: {
        help: '',
        success: true,
        result: { id: `id-${name}`, name, metadata_modified: modified, resources },
      },
    };
  }

  private async swhAnswer(p: string): Promise<Answer | undefined> {
    const resolve = /^\/api\/1\/resolve\/swh:1:(dir|rev):([0-9a-f]{40})\/$/.exec(p);
    if (resolve) {
      const [, type, hash] = resolve;
      const known = type === 'dir' ? this.swhDirs.has(hash!) : this.swhRevs.has(hash!);
      const object_type = type === 'dir' ? 'directory' : 'revision';
      return known
        ? { body: { object_type, object_id: hash, scheme_version: 1, namespace: 'swh' } }
        : undefined;
    }
    const rev = /^\/api\/1\/revision\/([0-9a-f]{40})\/$/.exec(p);
    if (rev) {
      const directory = this.swhRevs.get(rev[1]!);
      return directory ? { body: { id: rev[1], directory, message: 'archived' } } : undefined;
    }
    const vault = /^\/api\/1\/vault\/directory\/([0-9a-f]{40})\/(raw\/)?$/.exec(p);
    const files = vault && this.swhDirs.get(vault[1]!);
    if (!vault || !files) return undefined;
    if (vault[2])
      return {
        headers: { 'content-type': 'application/gzip' },
        body: await archive('tgz', vault[1]!, files),
      };
    const fetch_url = `${this.server.origin}/api/1/vault/directory/${vault[1]}/raw/`;
    return { body: { id: 1, obj_type: 'directory', obj_id: vault[1], status: 'done', fetch_url } };
  }
}
