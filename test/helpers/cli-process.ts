/**
 * The real CLI (`bin/binderhub-ts.js <command> --config <file>`) in a child process,
 * configured for the local stack with its own Redis key prefix, queue and ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigInput } from '../../queue/config/index.js';
import { stackInfo } from './stack.js';

export { freePort } from './free-port.js';

const CLI = fileURLToPath(new URL('../../bin/binderhub-ts.js', import.meta.url));
/** The repository root: `--import tsx` is resolved from the child's working directory. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Sections = { [K in keyof ConfigInput]?: Partial<NonNullable<ConfigInput[K]>> };

/** True when something accepts connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** The local stack's services, a unique key prefix/queue/image prefix, and `extra` merged in. */
export function stackConfig(id: string, workDir: string, extra: Sections = {}): Sections {
  const s = stackInfo();
  const base: Sections = {
    BinderHub: {
      bind_host: '127.0.0.1',
      hub_url: s.hubUrl,
      hub_api_token: s.hubApiToken,
      image_prefix: `${s.imagePrefix}c${id}-`,
      enable_api_only_mode: true,
      log_level: 'info',
    },
    DockerRegistry: { url: s.registryUrl },
    Redis: { url: s.redisUrl, key_prefix: `test-${id}` },
    BuildQueue: { name: `builds-${id}` },
    DockerBuildExecutor: { repo2docker_path: s.repo2dockerPath, work_dir: workDir },
    GitRepoProvider: { allowed_private_hosts: ['127.0.0.1'] },
    RateLimiter: { limit: 0 },
  };
  const merged: Record<string, Record<string, unknown>> = {};
  for (const src of [base, extra]) {
    for (const [k, v] of Object.entries(src))
      merged[k] = { ...merged[k], ...(v as Record<string, unknown>) };
  }
  return merged as Sections;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** The configuration it runs with, as written to its file. */
  config: Sections;
  /** Its Redis key prefix (everything under `<prefix>:` is its own). */
  keyPrefix: string;
  /** SIGTERM, then SIGKILL after 10 s; removes its work folder. */
  close(): Promise<void>;
}

/** Starts `binderhub-ts <command>` with `stackConfig` + `extra` in a config file. */
export async function startCli(
  command: 'api' | 'runner' | 'local',
  extra: Sections = {},
  /** `viaTsx`: run `node --import tsx bin/binderhub-ts.ts` as `scripts/stack.sh` does. */
  opts: { nodeArgs?: string[]; id?: string; viaTsx?: boolean } = {},
): Promise<CliProcess> {
  const id = opts.id ?? randomUUID().slice(0, 8);
  const workDir = await mkdtemp(join(tmpdir(), 'bhts-cli-'));
  const config = stackConfig(id, workDir, extra);
  const file = join(workDir, 'config.json');
  await writeFile(file, JSON.stringify(config));
  let out = '';
  const entry = opts.viaTsx ? ['--import', 'tsx', CLI.replace(/\.js$/, '.ts')] : [CLI];
  const args = [...(opts.nodeArgs ?? []), ...entry, command, '--config', file];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    config,
    keyPrefix: `test-${id}`,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Polls `url` until it answers 200 (or throws after `timeoutMs`, with the process's output). */
export async function waitForOk(url: string, cli: CliProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) })
      .then(async (r) => (await r.arrayBuffer(), r.status))
      .catch(() => 0);
    if (status === 200) return;
    if (cli.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${url} did not answer 200 (last ${status}); output:\n${cli.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
