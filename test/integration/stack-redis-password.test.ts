import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../queue/index.js';
import { freePort, listening } from '../helpers/cli-process.js';
import { redisPing, stackInfo } from '../helpers/stack.js';

// The test helpers find the local stack's Redis password in `secrets/redis-password`
// (written by `stack.sh up`) and still work without one. A redis-server of this test's
// own, with `requirepass`, on a free port.

describe('the stack Redis URL and its password', () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess;
  const password = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bhts-stackdir-'));
    port = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--requirepass', password],
      { stdio: 'ignore' },
    );
    process.env.BINDERHUB_TS_REDIS_PORT = String(port);
    process.env.BINDERHUB_TS_STACK_DIR = join(dir, 'without');
    for (let i = 0; i < 50 && !(await listening(port)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    process.env = saved;
    const exited = once(redis, 'exit');
    redis.kill();
    await exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('without secrets/redis-password: no password in the URL, and a password-protected Redis refuses it', async () => {
    expect(stackInfo().redisUrl).toBe(`redis://127.0.0.1:${port}`);
    expect(await redisPing()).toBe(false);
  });

  it('with secrets/redis-password: the URL carries it and both clients get in', async () => {
    const stackDir = join(dir, 'with');
    await mkdir(join(stackDir, 'secrets'), { recursive: true });
    await writeFile(join(stackDir, 'secrets', 'redis-password'), `${password}\n`);
    process.env.BINDERHUB_TS_STACK_DIR = stackDir;
    const { redisUrl } = stackInfo();
    expect(redisUrl).toBe(`redis://:${password}@127.0.0.1:${port}`);
    expect(await redisPing()).toBe(true);
    const client = createRedis(redisUrl, 'command');
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});
