/**
 * Makes an image "exist" in the local registry without Docker: the base image's manifest
 * is copied under another name (its blobs cross-repository mounted), and deleted again.
 */
const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

interface Manifest {
  mediaType?: string;
  config: { digest: string };
  layers: Array<{ digest: string }>;
}

export interface RegistryImage {
  /** `127.0.0.1:5000/<name>:<tag>` */
  image: string;
  delete(): Promise<void>;
}

/** `127.0.0.1:5000/a/b:tag` → `{ name: 'a/b', tag }` (the host is the registry's). */
function split(image: string): { name: string; tag: string } {
  const slash = image.indexOf('/');
  const colon = image.lastIndexOf(':');
  if (slash < 0 || colon < slash) throw new Error(`not a registry image name: ${image}`);
  return { name: image.slice(slash + 1, colon), tag: image.slice(colon + 1) };
}

async function ok(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: registry answered ${res.status} ${await res.text()}`);
  return res;
}

/** Copies `source` (a name in the registry at `registryUrl`) to `target`, a full image name. */
export async function copyRegistryImage(
  registryUrl: string,
  source: string,
  target: string,
): Promise<RegistryImage> {
  const from = split(`x/${source}`);
  const to = split(target);
  const res = await ok(
    await fetch(`${registryUrl}/v2/${from.name}/manifests/${from.tag}`, {
      headers: { accept: MANIFEST_V2 },
    }),
    `GET manifest of ${source}`,
  );
  const body = await res.text();
  const manifest = JSON.parse(body) as Manifest;
  for (const { digest } of [manifest.config, ...manifest.layers]) {
    const mount = `${registryUrl}/v2/${to.name}/blobs/uploads/?mount=${digest}&from=${from.name}`;
    const r = await fetch(mount, { method: 'POST' });
    await r.arrayBuffer();
    if (r.status !== 201) throw new Error(`mount ${digest} into ${to.name}: ${r.status}`);
  }
  const put = await ok(
    await fetch(`${registryUrl}/v2/${to.name}/manifests/${to.tag}`, {
      method: 'PUT',
      headers: { 'content-type': manifest.mediaType ?? MANIFEST_V2 },
      body,
    }),
    `PUT manifest of ${target}`,
  );
  const digest = put.headers.get('docker-content-digest');
  return {
    image: target,
    async delete() {
      if (!digest) return;
      const r = await fetch(`${registryUrl}/v2/${to.name}/manifests/${digest}`, {
        method: 'DELETE',
      });
      await r.arrayBuffer();
    },
  };
}
