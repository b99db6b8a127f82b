/**
 * Webhook delivery → 2xx latency: 1,000 signed GitHub `push` deliveries (50 repositories
 * × 20 commits) against the real api app (createApiDeps + createApp, real Redis, the
 * local registry), sent one after another; then 1,000 with 16 in flight; then the paths
 * that do no pre-build work (a push to an unconfigured branch, a bad signature, ping).
 * The app runs in a child process, so the client's own work is not counted.
 * Target (docs: targets.md): p99 ≤ 50 ms.
 *
 *   npx tsx bench/webhook-latency.ts [deliveries=1000]
 *   BENCH_PROF=/tmp/prof npx tsx bench/webhook-latency.ts   # also writes the app's CPU profile
 *
 * Needs the local stack's Redis (with its password, if any) and the registry on 127.0.0.1:5000 (scripts/stack.sh up).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import http, { type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createApp } from '../api/app.js';
import { createApiDeps } from '../api/create-api-deps.js';
import { createPrebuilds } from '../api/webhooks/create-prebuilds.js';
import { parseConfig } from '../queue/config/index.js';
import { createLogger } from '../queue/index.js';
import { stackInfo } from '../test/helpers/stack.js';

interface Delivery {
  event: string;
  body: string;
  signature: string;
}
type Result = { ms: number; status: number };

const sha = () => (randomUUID() + randomUUID()).replace(/-/g, '').slice(0, 40);
const sign = (body: string, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function pushBody(repo: string, ref = 'refs/heads/main'): string {
  const [owner, name] = repo.split('/');
  return JSON.stringify({
    ref,
    before: sha(),
    after: sha(),
    created: false,
    deleted: false,
    forced: false,
    repository: {
      name,
      full_name: repo,
      private: false,
      owner: { login: owner, type: 'Organization' },
      clone_url: `https://github.com/${repo}.git`,
      default_branch: 'main',
    },
    pusher: { name: 'bench' },
    sender: { login: 'bench', type: 'User' },
  });
}

// ------------------------------------------------------------------ the app (child) --

async function serve(secret: string): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const config = parseConfig({
    BinderHub: { port: 0, image_prefix: `127.0.0.1:5000/bench-${id}-`, log_level: 'error' },
    DockerRegistry: { url: 'http://127.0.0.1:5000' },
    Redis: { url: stackInfo().redisUrl, key_prefix: `bench-${id}` },
    BuildQueue: { name: `bench-${id}` },
    GitHubWebhook: { secret },
  });
  const runtime = createApiDeps(config, createLogger({ level: 'error' }), {
    defaultMetrics: false,
  });
  const prebuilds = createPrebuilds(runtime.deps);
  const app = createApp({ ...runtime.deps, prebuilds });
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const queue = runtime.deps.buildQueue.bullmq;
  process.on('message', async (cmd: string) => {
    if (cmd === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMs: (user + system) / 1000 });
    } else if (cmd === 'idle') {
      const started = performance.now();
      await prebuilds.scheduler.idle();
      const counts = await queue.getJobCounts('prioritized', 'waiting', 'delayed');
      const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
      process.send!({ idleMs: performance.now() - started, jobs });
    } else if (cmd === 'close') {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      prebuilds.scheduler.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      const keys = await runtime.deps.redis.keys(`bench-${id}:*`);
      if (keys.length > 0) await runtime.deps.redis.del(...keys);
      await runtime.close();
      process.exit(0);
    }
  });
  process.send!({ url: `http://127.0.0.1:${port}/hooks/github` });
}

// --------------------------------------------------------------- the client (parent) --

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One delivery over a kept-alive connection; resolves when the whole answer is read. */
function send(url: string, d: Delivery): Promise<Result> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(d.body),
        'x-github-event': d.event,
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': d.signature,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }),
      );
    });
    req.on('error', reject);
    req.end(d.body);
  });
}

async function run(url: string, deliveries: Delivery[], inFlight: number) {
  const results: Result[] = [];
  let next = 0;
  const lane = async () => {
    while (next < deliveries.length) results.push(await send(url, deliveries[next++]!));
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { results, seconds: (performance.now() - started) / 1000 };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

function row(name: string, r: Measured) {
  const ms = r.results.map((x) => x.ms).sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(2);
  return {
    case: name,
    n: ms.length,
    status: [...new Set(r.results.map((x) => x.status))].join('/'),
    'p50 ms': f(pct(ms, 50)),
    'p90 ms': f(pct(ms, 90)),
    'p99 ms': f(pct(ms, 99)),
    'max ms': f(ms[ms.length - 1]!),
    'req/s': Math.round(ms.length / r.seconds),
    'app CPU ms/delivery': (r.cpuMs / ms.length).toFixed(2),
  };
}

function ask<T>(child: ChildProcess, cmd?: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    if (cmd) child.send(cmd);
  });
}

type Measured = Awaited<ReturnType<typeof run>> & { cpuMs: number; drainMs: number };

/**
 * Sends the deliveries, waits until their pre-builds are handled, and reports the app's
 * CPU time for all of it (answers and background work), which the machine's load does
 * not inflate the way it inflates latencies.
 */
async function measure(
  child: ChildProcess,
  url: string,
  deliveries: Delivery[],
  inFlight: number,
): Promise<Measured> {
  const before = await ask<{ cpuMs: number }>(child, 'cpu');
  const r = await run(url, deliveries, inFlight);
  const { idleMs } = await ask<{ idleMs: number }>(child, 'idle');
  const after = await ask<{ cpuMs: number }>(child, 'cpu');
  return { ...r, cpuMs: after.cpuMs - before.cpuMs, drainMs: idleMs };
}

async function main(n: number): Promise<void> {
  const secret = randomUUID();
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    env: { ...process.env, BENCH_SECRET: secret },
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []),
    ],
  });
  const { url } = await ask<{ url: string }>(child);
  const pushes = (count: number, ref?: string): Delivery[] =>
    Array.from({ length: count }, (_, i) => {
      const body = pushBody(`bench-org/repo-${i % 50}`, ref);
      return { event: 'push', body, signature: sign(body, secret) };
    });
  try {
    await measure(child, url, pushes(100), 4); // warm-up
    const sequential = await measure(child, url, pushes(n), 1);
    const rows = [row('push, sequential', sequential)];
    rows.push(row('push, 16 in flight', await measure(child, url, pushes(n), 16)));
    const ignored = pushes(n, 'refs/heads/x');
    rows.push(row('push, other branch (ignored)', await measure(child, url, ignored, 1)));
    const bad = pushes(200).map((d) => ({ ...d, signature: sign(d.body, 'wrong') }));
    rows.push(row('bad signature (401)', await measure(child, url, bad, 1)));
    const ping = JSON.stringify({ zen: 'bench', hook: { events: ['push'] } });
    const pings = Array.from({ length: 200 }, () => ({
      event: 'ping',
      body: ping,
      signature: sign(ping, secret),
    }));
    rows.push(row('ping', await measure(child, url, pings, 1)));
    const { jobs } = await ask<{ jobs: number }>(child, 'idle');
    console.log(
      `\nwebhook delivery → 2xx latency, ${n} signed pushes per push row (target p99 ≤ 50 ms)\n`,
    );
    console.table(rows);
    console.log(
      `sequential pushes: the last pre-build was handled ${sequential.drainMs.toFixed(0)} ms after the last answer;`,
      `the queue holds ${jobs} pending jobs for the 50 repositories (coalesced, no runner)`,
    );
  } finally {
    child.send('close');
    agent.destroy();
  }
}

if (process.argv.includes('--serve')) await serve(process.env.BENCH_SECRET!);
else await main(Number(process.argv[2] ?? 1000));
