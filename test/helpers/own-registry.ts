/**
 * A real `docker-registry` of a test's own (its own port and storage), which the test
 * may stop and start again (same port, same images) without touching the stack's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface OwnRegistry {
  url: string;
  stop(): Promise<void>;
  /** Starts it again; resolves once `/v2/` answers. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnRegistry(): Promise<OwnRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'bhts-own-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: {level: error}',
      'storage:',
      `  filesystem: {rootdirectory: ${dir}/data}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(`${url}/v2/`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`docker-registry did not start on ${url}`);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
