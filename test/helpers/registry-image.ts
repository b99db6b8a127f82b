/**
 * Puts a tiny image (one config blob, no layers) into the local registry under a given
 * name, through the Docker Registry HTTP API v2 — so a test can make "the image exists"
 * true without building anything.
 */
import { createHash } from 'node:crypto';
import { imageBasenameAndTag } from '../../api/builds/image-name.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function putTinyImage(
  image: string,
  registryUrl = 'http://127.0.0.1:5000',
  /** The image's creation time in its config (none by default). */
  created?: string,
) {
  const { name, tag } = imageBasenameAndTag(image);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      ...(created ? { created } : {}),
    }),
  );
  const digest = sha256(config);
  const start = await fetch(`${registryUrl}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get('location')!, registryUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: new Uint8Array(config),
  });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length },
    layers: [],
  });
  const res = await fetch(`${registryUrl}/v2/${name}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
}
