/**
 * A tiny base image for test builds that need no Jupyter: `sh` (dash), `sleep` and `seq`
 * from this machine with the C library they load, imported with `docker import`. Nothing
 * is pulled, and a push of it uploads about 1 MB, where the Jupyter base uploads its
 * ~500 MB layer to any registry the engine has not pushed it to before (a test's own
 * registry or proxy on a new port). For builds only: it runs no notebook server.
 *
 * Its name, `bhts-test/tiny:<digest of its files>`, is no product image's (those are
 * `<image_prefix>…` and `binderhub-ts/…`) and changes with the files, so an engine never
 * keeps a stale one. Making it in an engine that has it already does nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** This machine's files → their paths in the image. */
const FILES: ReadonlyArray<readonly [from: string, to: string]> = [
  ['/bin/dash', 'bin/sh'],
  ['/bin/sleep', 'bin/sleep'],
  ['/usr/bin/seq', 'bin/seq'],
  ['/lib/x86_64-linux-gnu/libc.so.6', 'lib/x86_64-linux-gnu/libc.so.6'],
  ['/lib64/ld-linux-x86-64.so.2', 'lib64/ld-linux-x86-64.so.2'],
];

async function tinyImageName(): Promise<string> {
  const hash = createHash('sha256');
  for (const [from, to] of FILES) hash.update(to).update(await readFile(from));
  return `bhts-test/tiny:${hash.digest('hex').slice(0, 12)}`;
}

/** A tar of the image's files, the same bytes every time (so one layer however often made). */
async function tinyImageTar(dir: string): Promise<string> {
  const root = join(dir, 'root');
  await mkdir(join(root, 'tmp'), { recursive: true });
  for (const [from, to] of FILES) {
    await mkdir(dirname(join(root, to)), { recursive: true });
    await copyFile(from, join(root, to));
  }
  const tar = join(dir, 'tiny.tar');
  const fixed = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner'];
  await run('tar', [...fixed, '-C', root, '-cf', tar, '.']);
  return tar;
}

/**
 * Makes the tiny image in the engine at `dockerHost` (`unix:///…`) unless it has it;
 * resolves with its name.
 */
export async function ensureTinyImage(dockerHost: string): Promise<string> {
  const name = await tinyImageName();
  const docker = (...args: string[]) => run('docker', ['-H', dockerHost, ...args]);
  if (await docker('image', 'inspect', '--format', '{{.Id}}', name).then(Boolean, () => false))
    return name;
  const dir = await mkdtemp(join(tmpdir(), 'bhts-tiny-image-'));
  try {
    await docker('import', await tinyImageTar(dir), name);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return name;
}
