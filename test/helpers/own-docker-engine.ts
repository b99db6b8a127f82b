/**
 * A second Docker engine of a test's own (its own socket, data-root and exec-root, no
 * bridge, no iptables), which the test may restart without touching the stack's engine.
 * It holds the tiny image (tiny-image.ts), so no image has to be pulled or loaded.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTinyImage } from './tiny-image.js';

const run = promisify(execFile);

export interface OwnDockerEngine {
  /** `unix:///…/docker.sock` (for DOCKER_HOST). */
  host: string;
  /** The tiny image's name in it (a base for the test's Dockerfiles). */
  tinyImage: string;
  /** A request to its API; resolves with status and body. */
  api(path: string, method?: string): Promise<{ status: number; body: string }>;
  /**
   * Kills the engine (a crash: a graceful stop would wait for the build to finish),
   * waits `downMs`, starts it again; resolves when it answers again.
   */
  restart(downMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Unmounts whatever an engine left mounted under `dir` (deepest first). */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
}

export async function startOwnDockerEngine(): Promise<OwnDockerEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'bhts-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const args = [
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    join(dir, 'dockerd.pid'),
    '--host',
    host,
    '--storage-driver',
    'overlay2',
    '--bridge',
    'none',
    '--iptables=false',
    '--ip-masq=false',
    '--ip6tables=false',
    '--shutdown-timeout',
    '1',
  ];
  const api = (path: string, method = 'GET') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ socketPath: socket, path, method, timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  let child: ChildProcess | undefined;
  const start = async () => {
    // Its own process group: a crash takes its containerd down with it, as on a host.
    child = spawn('dockerd', args, { stdio: 'ignore', detached: true });
    for (let i = 0; i < 300; i++) {
      if ((await api('/_ping').catch(() => ({ status: 0 }))).status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the second dockerd did not start');
  };
  const stop = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    if (signal === 'SIGKILL') process.kill(-c.pid!, 'SIGKILL');
    else c.kill(signal);
    const late = setTimeout(() => process.kill(-c.pid!, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(late);
  };
  await start();
  const tinyImage = await ensureTinyImage(host);
  return {
    host,
    tinyImage,
    api,
    async restart(downMs) {
      await stop('SIGKILL');
      // Its killed containerd is a zombie nobody reaps here: the next dockerd would take
      // its pid file for a live containerd and wait for it forever.
      await rm(join(dir, 'exec', 'containerd', 'containerd.pid'), { force: true });
      await new Promise((r) => setTimeout(r, downMs));
      await start();
      return Date.now();
    },
    async close() {
      await stop('SIGTERM');
      await unmountUnder(dir);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
