/**
 * A real `redis-server` of a test's own (AOF on, on a free loopback port), which the
 * test may stop, kill and start again without touching the shared stack's Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { redisPing } from './stack.js';

export interface OwnRedis {
  url: string;
  port: number;
  /**
   * Stops Redis with `signal` (SIGTERM: a clean shutdown that writes its AOF; SIGKILL: a
   * crash, losing at most the last second), waits `downMs`, starts it again on the same
   * port and data, and resolves once it answers PING again: the time the fault ended.
   */
  outage(signal: 'SIGTERM' | 'SIGKILL', downMs: number): Promise<number>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForPing(url: string, up: boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await redisPing(url, 500)) !== up) {
    if (Date.now() > deadline) throw new Error(`Redis at ${url} did not go ${up ? 'up' : 'down'}`);
    await sleep(50);
  }
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'bhts-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--protected-mode',
    'no',
    '--loglevel',
    'warning',
  ];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPing(url, true);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };
  await start();
  return {
    url,
    port,
    async outage(signal, downMs) {
      await stop(signal);
      await sleep(downMs);
      await start();
      return Date.now();
    },
    async close() {
      await stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
