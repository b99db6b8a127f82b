/**
 * A JupyterHub of a test's own, started from the local stack's configuration
 * (scripts/stack/jupyterhub_config.py, the stack's venv and configurable-http-proxy) on
 * free ports with its own secrets, database and `cors-allow-origin` setting: a test can
 * give the hub a setting the shared one lacks, and count the users left on it exactly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stackInfo } from './stack.js';

export interface HubUser {
  name: string;
  servers: Record<string, { ready?: boolean; pending?: string | null }>;
}

export interface PrivateHub {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** `http://127.0.0.1:<port>/hub/api/` */
  apiUrl: string;
  /** The `binder` service's token on this hub. */
  apiToken: string;
  /** Auth mode: the password every user name logs in with (else ''). */
  userPassword: string;
  users(): Promise<HubUser[]>;
  /** Stops every server and deletes every user (the hub refuses while one is spawning). */
  removeAllUsers(timeoutMs?: number): Promise<void>;
  /** The hub's log (JupyterHub and the proxy). */
  log(): Promise<string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A stack directory with fresh secrets, the shared proxy install, and the CORS setting. */
async function hubStackDir(
  corsAllowOrigin: string,
): Promise<{ dir: string; token: string; userPassword: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bhts-hub-'));
  await mkdir(path.join(dir, 'secrets'), { mode: 0o700 });
  await mkdir(path.join(dir, 'hub'));
  await mkdir(path.join(dir, 'run'));
  const token = randomBytes(32).toString('hex');
  const userPassword = randomBytes(16).toString('hex');
  for (const [name, value] of [
    ['hub-api-token', token],
    ['hub-user-password', userPassword],
    ['proxy-auth-token', randomBytes(32).toString('hex')],
    ['cookie-secret', randomBytes(32).toString('hex')],
  ] as const) {
    await writeFile(path.join(dir, 'secrets', name), value, { mode: 0o600 });
  }
  await symlink(path.join(stackInfo().stackDir, 'chp'), path.join(dir, 'chp'));
  if (corsAllowOrigin) await writeFile(path.join(dir, 'cors-allow-origin'), `${corsAllowOrigin}\n`);
  return { dir, token, userPassword };
}

async function waitForHub(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`JupyterHub exited with code ${child.exitCode}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`JupyterHub did not answer ${url} within ${timeoutMs} ms`);
}

function stopProcess(child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Hub login (`stack.sh up --auth`): binderhub-ts at `binderUrl` is the hub's OAuth client. */
export interface PrivateHubAuth {
  /** `http://127.0.0.1:<port>/`: the OAuth callback is `<binderUrl>oauth_callback`. */
  binderUrl: string;
  namedServerLimit: number;
}

/** A free port on 127.0.0.1 (for a process the test starts next). */
export async function freeLoopbackPort(): Promise<number> {
  return freePort();
}

/**
 * Starts the hub; `corsAllowOrigin` is the stack's one CORS setting ('' = off); with
 * `auth`, the hub has users who log in and binderhub-ts as an OAuth service.
 */
export async function startPrivateHub(
  o: { corsAllowOrigin?: string; auth?: PrivateHubAuth } = {},
): Promise<PrivateHub> {
  const s = stackInfo();
  const { dir, token, userPassword } = await hubStackDir(o.corsAllowOrigin ?? '');
  const authEnv = o.auth
    ? {
        BINDERHUB_TS_HUB_AUTH: '1',
        BINDERHUB_TS_BINDER_URL: o.auth.binderUrl,
        BINDERHUB_TS_NAMED_SERVER_LIMIT: String(o.auth.namedServerLimit),
      }
    : { BINDERHUB_TS_HUB_AUTH: '0' };
  const [hubPort, hubApiPort, proxyApiPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const logFile = path.join(dir, 'jupyterhub.log');
  const out = createWriteStream(logFile);
  const child = spawn(
    path.join(s.stackDir, 'venv', 'bin', 'jupyterhub'),
    ['-f', path.join(s.root, 'scripts', 'stack', 'jupyterhub_config.py')],
    {
      cwd: path.join(dir, 'hub'),
      env: {
        ...process.env,
        BINDERHUB_TS_STACK_DIR: dir,
        BINDERHUB_TS_HUB_PORT: String(hubPort),
        BINDERHUB_TS_HUB_API_PORT: String(hubApiPort),
        BINDERHUB_TS_PROXY_API_PORT: String(proxyApiPort),
        DOCKER_HOST: s.dockerHost,
        ...authEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const url = `http://127.0.0.1:${hubPort}/`;
  const apiUrl = `${url}hub/api/`;
  const headers = { authorization: `token ${token}` };
  const api = (p: string, method = 'GET', body?: unknown) =>
    fetch(`${apiUrl}${p}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });

  const hub: PrivateHub = {
    url,
    apiUrl,
    apiToken: token,
    userPassword: o.auth ? userPassword : '',
    async users() {
      const res = await api('users');
      if (!res.ok) throw new Error(`GET ${apiUrl}users answered ${res.status}`);
      return (await res.json()) as HubUser[];
    },
    async removeAllUsers(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Auth mode: the users are people (the binder service may not delete them); their servers go.
        const all = await hub.users();
        const users = o.auth ? all.filter((u) => Object.keys(u.servers ?? {}).length > 0) : all;
        if (users.length === 0) return;
        if (Date.now() > deadline)
          throw new Error(`users left on the hub: ${users.map((u) => u.name).join(', ')}`);
        for (const u of users) {
          const user = encodeURIComponent(u.name);
          for (const name of Object.keys(u.servers ?? {})) {
            if (name)
              await api(`users/${user}/servers/${encodeURIComponent(name)}`, 'DELETE', {
                remove: true,
              }).catch(() => undefined);
          }
          await api(`users/${user}/server`, 'DELETE').catch(() => undefined);
          if (!o.auth) await api(`users/${user}`, 'DELETE').catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async close() {
      await hub.removeAllUsers().catch(() => undefined);
      await stopProcess(child);
      out.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForHub(apiUrl, child, 90_000);
    const check = await api('user');
    if (!check.ok) throw new Error(`the binder token got ${check.status} from ${apiUrl}user`);
  } catch (err) {
    const log = await hub.log();
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n--- hub log ---\n${log.slice(-3000)}`, {
      cause: err,
    });
  }
  return hub;
}
