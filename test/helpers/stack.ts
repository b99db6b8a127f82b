/**
 * The local stack started by `bash scripts/stack.sh up` (docs/local-stack.md):
 * where each service is, the secrets it made, and a git server for tests.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface StackInfo {
  /** The repository root. */
  root: string;
  /** `<root>/.stack` (or $BINDERHUB_TS_STACK_DIR). */
  stackDir: string;
  /**
   * `redis://:<password>@127.0.0.1:6379` (port: $BINDERHUB_TS_REDIS_PORT), without the
   * password when the stack has none.
   */
  redisUrl: string;
  /** `http://127.0.0.1:5000` (no trailing slash). */
  registryUrl: string;
  /** JupyterHub's public URL, `http://127.0.0.1:8000/`. */
  hubUrl: string;
  /** `http://127.0.0.1:8000/hub/api/`. */
  hubApiUrl: string;
  /** Token of the `binder` JupyterHub service ('' when the stack never ran). */
  hubApiToken: string;
  /** Prefix for images built by tests: `127.0.0.1:5000/binder-`. */
  imagePrefix: string;
  repo2dockerPath: string;
  /** Test repositories' Dockerfiles start `FROM binderhub-ts/jupyter-base:1`. */
  baseImage: string;
  /** Same image, as pushed to the local registry. */
  baseImageInRegistry: string;
  dockerHost: string;
  /** The binderhub-ts app started by the stack, and its config file. */
  binderUrl: string;
  binderConfigPath: string;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function readSecret(stackDir: string, name: string): string {
  const file = path.join(stackDir, 'secrets', name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

/** The stack's Redis, with `secrets/redis-password` when `stack.sh up` made one. */
function redisUrlOf(stackDir: string): string {
  const password = readSecret(stackDir, 'redis-password');
  const port = process.env['BINDERHUB_TS_REDIS_PORT'] ?? '6379';
  return `redis://${password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${port}`;
}

/** The stack's state folder: `<root>/.stack`, or $BINDERHUB_TS_STACK_DIR (a worktree using another checkout's stack). */
export function stackDirPath(): string {
  return process.env['BINDERHUB_TS_STACK_DIR'] ?? path.join(ROOT, '.stack');
}

export function stackInfo(): StackInfo {
  const stackDir = stackDirPath();
  return {
    root: ROOT,
    stackDir,
    redisUrl: redisUrlOf(stackDir),
    registryUrl: 'http://127.0.0.1:5000',
    hubUrl: 'http://127.0.0.1:8000/',
    hubApiUrl: 'http://127.0.0.1:8000/hub/api/',
    hubApiToken: readSecret(stackDir, 'hub-api-token'),
    imagePrefix: '127.0.0.1:5000/binder-',
    repo2dockerPath: path.join(stackDir, 'venv', 'bin', 'jupyter-repo2docker'),
    // $BINDERHUB_TS_BASE_IMAGE: a base image of one's own (while changing build-base-image.sh)
    baseImage: process.env['BINDERHUB_TS_BASE_IMAGE'] ?? 'binderhub-ts/jupyter-base:1',
    baseImageInRegistry: '127.0.0.1:5000/binderhub-ts/jupyter-base:1',
    dockerHost: 'unix:///var/run/docker.sock',
    binderUrl: 'http://127.0.0.1:8585/',
    binderConfigPath: path.join(stackDir, 'config.yaml'),
  };
}

/**
 * Sends PING over a raw socket (after AUTH when the URL has a password); resolves true
 * on +PONG. A password given to a Redis that has none still gets PONG (as with ioredis).
 */
export function redisPing(url = stackInfo().redisUrl, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port, password } = new URL(url);
  const auth = password ? `AUTH ${decodeURIComponent(password)}\r\n` : '';
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(`${auth}PING\r\n`));
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.includes('+PONG\r\n')) done(true);
      else if (/^-(NOAUTH|WRONGPASS)/m.test(answer)) done(false);
    });
  });
}

/** A request to the Docker engine API over its unix socket. */
export function dockerApi(
  apiPath: string,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  const socketPath = stackInfo().dockerHost.replace(/^unix:\/\//, '');
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: apiPath, method, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`docker API ${apiPath}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

async function answers(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * Throws unless Redis, the Docker engine, the registry and JupyterHub all
 * answer (the hub with the binder service token).
 */
export async function requireStack(): Promise<StackInfo> {
  const info = stackInfo();
  const problems: string[] = [];
  if (!(await redisPing(info.redisUrl)))
    problems.push(`Redis does not answer PING at ${info.redisUrl}`);
  const ping = await dockerApi('/_ping').catch(() => ({ status: 0, body: '' }));
  if (ping.status !== 200) problems.push(`the Docker engine does not answer at ${info.dockerHost}`);
  const registry = await answers(`${info.registryUrl}/v2/`);
  if (registry !== 200)
    problems.push(`the registry at ${info.registryUrl}/v2/ answered ${registry || 'nothing'}`);
  if (!info.hubApiToken) {
    problems.push(`no hub API token in ${info.stackDir}/secrets/hub-api-token`);
  } else {
    const hub = await answers(`${info.hubApiUrl}user`, {
      Authorization: `token ${info.hubApiToken}`,
    });
    if (hub !== 200)
      problems.push(
        `JupyterHub at ${info.hubApiUrl} answered ${hub || 'nothing'} with the binder token`,
      );
  }
  if (problems.length > 0) {
    throw new Error(
      `the local stack is not running (${problems.join('; ')}): run \`bash scripts/stack.sh up\` first`,
    );
  }
  return info;
}

export interface ServedGitRepo {
  /** `http://127.0.0.1:<port>/repo.git` */
  url: string;
  /** The commit the default branch (`main`) points at now. */
  readonly sha: string;
  /** The working copy the commits are made in. */
  dir: string;
  /** Writes the files (paths relative to the repo root), commits, returns the new sha. */
  addCommit(files: Record<string, string>, message?: string): Promise<string>;
  close(): Promise<void>;
}

const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'binderhub-ts tests',
  GIT_AUTHOR_EMAIL: 'tests@binderhub-ts.invalid',
  GIT_COMMITTER_NAME: 'binderhub-ts tests',
  GIT_COMMITTER_EMAIL: 'tests@binderhub-ts.invalid',
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, env: { ...process.env, ...GIT_ENV } });
  return stdout.trim();
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.resolve(dir, name);
    if (!file.startsWith(dir + path.sep)) throw new Error(`serveGitRepo: bad file name ${name}`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** Runs `git http-backend` as a CGI program for one request. */
export function gitHttpBackend(
  projectRoot: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: '',
  };
  if (req.headers['content-length']) env['CONTENT_LENGTH'] = req.headers['content-length'];
  if (req.headers['content-encoding'])
    env['HTTP_CONTENT_ENCODING'] = req.headers['content-encoding'];
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') {
    env['HTTP_GIT_PROTOCOL'] = protocol;
    env['GIT_PROTOCOL'] = protocol;
  }
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);

  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    let end = head.indexOf('\r\n\r\n');
    let sep = 4;
    if (end < 0) {
      end = head.indexOf('\n\n');
      sep = 2;
    }
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    headersSent = true;
    res.write(head.subarray(end + sep));
  });
  child.on('close', (code) => {
    if (!headersSent) res.writeHead(code === 0 ? 200 : 500);
    res.end();
  });
  child.on('error', () => {
    if (!headersSent) res.writeHead(500);
    res.end();
  });
}

/**
 * Creates a git repository (branch `main`) in a temporary folder with `files`
 * committed, and serves it read-only over smart HTTP on 127.0.0.1 at
 * `http://127.0.0.1:<port>/repo.git` with `git http-backend`.
 */
export async function serveGitRepo(files: Record<string, string>): Promise<ServedGitRepo> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'binderhub-ts-git-'));
  const work = path.join(tmp, 'work');
  const served = path.join(tmp, 'served');
  const bare = path.join(served, 'repo.git');
  await mkdir(work, { recursive: true });
  await mkdir(served, { recursive: true });
  await git(work, 'init', '--quiet', '--initial-branch=main');
  await writeFiles(work, files);
  await git(work, 'add', '--all');
  await git(work, 'commit', '--quiet', '--no-gpg-sign', '--allow-empty', '-m', 'initial commit');
  await git(tmp, 'clone', '--quiet', '--bare', work, bare);
  await git(work, 'remote', 'add', 'origin', bare);
  let sha = await git(work, 'rev-parse', 'HEAD');

  const server = http.createServer((req, res) => gitHttpBackend(served, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('serveGitRepo: no port');

  return {
    url: `http://127.0.0.1:${address.port}/repo.git`,
    get sha() {
      return sha;
    },
    dir: work,
    async addCommit(more, message = 'update') {
      await writeFiles(work, more);
      await git(work, 'add', '--all');
      await git(work, 'commit', '--quiet', '--no-gpg-sign', '--allow-empty', '-m', message);
      await git(work, 'push', '--quiet', 'origin', 'main');
      sha = await git(work, 'rev-parse', 'HEAD');
      return sha;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
