import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface RegistryServer {
  url: string;
  dir: string;
  close(): void;
}

/** A real Debian `docker-registry` on 127.0.0.1, with the given `auth:` section (YAML lines). */
export async function startRegistry(authYaml: string[] = []): Promise<RegistryServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bhts-registry-'));
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log: {level: error}',
    'storage:',
    `  filesystem: {rootdirectory: ${dir}/data}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...authYaml,
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/v2/`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    close() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An htpasswd line with a bcrypt hash (via Python's crypt, which uses libxcrypt). */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  const { stdout } = await promisify(execFile)('python3', [
    '-W',
    'ignore',
    '-c',
    'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))',
    password,
  ]);
  return `${user}:${stdout.trim()}`;
}

/** Uploads a minimal image (empty config, no layers) through the registry API. */
export async function pushMinimalImage(
  url: string,
  name: string,
  tag: string,
  authorization?: string,
): Promise<void> {
  const auth: Record<string, string> = authorization ? { authorization } : {};
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const start = await fetch(`${url}/v2/${name}/blobs/uploads/`, { method: 'POST', headers: auth });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get('location')!, url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: config,
  });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest,
    },
    layers: [],
  };
  const m = await fetch(`${url}/v2/${name}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': manifest.mediaType },
    body: JSON.stringify(manifest),
  });
  if (m.status !== 201) throw new Error(`manifest upload: ${m.status} ${await m.text()}`);
}
