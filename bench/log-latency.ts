/**
 * Build log line → client latency. The api runs in a child process (bench/lib/api-server.ts:
 * the test harness's api, no runner); K clients (raw TCP SSE sockets, in this process)
 * follow one build that nobody runs, and this process publishes log events through the
 * real RedisEventBus exactly as a runner does (one awaited `publish` per line), each
 * message carrying its publish timestamp. Latency = arrival of the frame's bytes at the
 * client − the timestamp taken just before `publish` (same clock: one process).
 *
 * For K = 1, 100, 1,000 (a fresh build each): first a probe event every stream must
 * receive (all attached), then LINES lines paced at each rate (20 lines/s: a typical
 * repo2docker build; 100 lines/s: a busy one), then LINES lines back to back (a burst:
 * as fast as one runner can publish, one awaited EVAL after the other).
 *
 *   npx tsx bench/log-latency.ts [K list=1,100,1000] [lines=300] [rates=20,100]
 *
 * Needs the local stack (bash scripts/stack.sh up): Redis, registry.
 */
import { randomBytes } from 'node:crypto';
import { createRedis, keyNames, RedisEventBus } from '../queue/index.js';
import { stackInfo } from '../test/helpers/stack.js';
import { startApiProcess, type ApiProcess } from './lib/api-process.js';
import { startWatchdog } from './lib/watchdog.js';
import { machineFacts } from './lib/machine.js';
import { openMany, openSseSocket, type SseSocket } from './lib/sse-socket.js';
import { ms, summarise, wallNow, type Summary } from './lib/stats.js';
import { markdownTable, printTable, verdictTable, type TargetRow } from './lib/table.js';
import { sleep, waitFor } from './lib/wait-for.js';

const KS = (process.argv[2] ?? '1,100,1000').split(',').map(Number);
const LINES = Number(process.argv[3] ?? 300);
const RATES = (process.argv[4] ?? '20,100').split(',').map(Number);
const TARGET_P99 = 100;
const MARK = /bench-log (\d+) (\d+\.\d+)/;

interface Result {
  k: number;
  pattern: string;
  latency: Summary;
  missing: number;
  apiCpuMsPerLine: number;
  clientCpuMsPerLine: number;
}

/** Publishes `LINES` numbered lines, paced at `rate` lines/s (0 = back to back). */
async function publishLines(bus: RedisEventBus, build: string, first: number, rate: number) {
  const gap = rate > 0 ? 1000 / rate : 0;
  const start = wallNow();
  for (let i = 0; i < LINES; i++) {
    if (gap > 0) {
      const due = start + i * gap - wallNow();
      if (due > 0) await sleep(due);
    }
    const seq = first + i;
    const message = `bench-log ${seq} ${wallNow().toFixed(3)}\n`;
    await bus.publish(build, { phase: 'building', message });
  }
}

class Followers {
  readonly latencies: number[] = [];
  readonly streams: SseSocket[] = [];
  private seen = 0;

  onFrame = (data: string, arrivedAt: number) => {
    const m = MARK.exec(data);
    if (!m) return;
    this.seen++;
    this.latencies.push(arrivedAt - Number(m[2]));
  };

  get received(): number {
    return this.seen;
  }

  reset(): void {
    this.latencies.length = 0;
    this.seen = 0;
  }
}

interface Target {
  api: ApiProcess;
  bus: RedisEventBus;
  buildName: string;
  followers: Followers;
  k: number;
}

/** Publishes LINES lines at `rate` and waits until every follower has them all. */
async function runPattern(
  t: Target,
  pattern: string,
  rate: number,
  first: number,
): Promise<Result> {
  const { api, followers: f, k } = t;
  f.reset();
  const cpu0 = api.cpuMs();
  const client0 = process.cpuUsage();
  await publishLines(t.bus, t.buildName, first, rate);
  await waitFor(() => f.received >= k * LINES, `${k * LINES} frames`, 120_000).catch(() => {});
  const client = process.cpuUsage(client0);
  return {
    k,
    pattern,
    latency: summarise(f.latencies),
    missing: k * LINES - f.received,
    apiCpuMsPerLine: (api.cpuMs() - cpu0) / LINES,
    clientCpuMsPerLine: (client.user + client.system) / 1000 / LINES,
  };
}

/** K followers of a fresh build, every pattern in turn. */
async function measure(api: ApiProcess, bus: RedisEventBus, k: number): Promise<Result[]> {
  const sha = randomBytes(20).toString('hex');
  const spec = `${encodeURIComponent('http://127.0.0.1:9/bench/log-latency.git')}/${sha}`;
  const url = new URL(`${api.ready.url}build/git/${spec}`);
  const { buildName } = await api.plan('git', spec, sha);
  const followers = new Followers();
  const open = () => openSseSocket(url, followers.onFrame, wallNow);
  followers.streams.push(...(await openMany(k, 200, open)));
  const target: Target = { api, bus, buildName, followers, k };
  try {
    await bus.publish(buildName, { phase: 'building', message: 'probe\n' });
    await waitFor(() => followers.streams.every((s) => s.frames >= 2), `the probe on ${k} streams`);
    const results: Result[] = [];
    const patterns = RATES.map((r) => [`paced, ${r} lines/s`, r] as const);
    for (const [pattern, rate] of [...patterns, ['burst (back to back)', 0] as const]) {
      results.push(await runPattern(target, pattern, rate, results.length * LINES));
      await sleep(500);
    }
    return results;
  } finally {
    followers.streams.forEach((s) => s.close());
    await waitFor(async () => (await api.stats()).openStreams === 0, 'streams to close');
  }
}

function report(results: Result[]) {
  const verdict: TargetRow[] = results.map((r) => ({
    metric: `log line → client p99, K = ${r.k.toLocaleString('en')}, ${r.pattern}`,
    target: `≤ ${TARGET_P99} ms`,
    measured: `${ms(r.latency.p99)} ms${r.missing ? ` (${r.missing} frames MISSING)` : ''}`,
    met: r.latency.p99 <= TARGET_P99 && r.missing === 0,
  }));
  printTable('Build log line → client latency (RedisEventBus → api → SSE)', verdictTable(verdict));
  const header = ['K', 'pattern', 'frames', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'].concat(
    'api CPU ms/line',
    'client CPU ms/line',
  );
  const rows = results.map((r) => [
    r.k.toLocaleString('en'),
    r.pattern,
    r.latency.n.toLocaleString('en'),
    ms(r.latency.p50),
    ms(r.latency.p90),
    ms(r.latency.p99),
    ms(r.latency.max),
    ms(r.apiCpuMsPerLine),
    ms(r.clientCpuMsPerLine),
  ]);
  printTable(`Details (${LINES} lines per pattern)`, markdownTable(header, rows));
  process.stdout.write(`\nmachine: ${machineFacts()}\n`);
}

async function main() {
  const watchdog = startWatchdog(20 * 60_000);
  const api = await startApiProcess({ config: { BinderHub: { log_level: 'error' } } });
  const redis = createRedis(stackInfo().redisUrl, 'command');
  const bus = new RedisEventBus({ redis, keys: keyNames(api.ready.keyPrefix), maxHistory: 20000 });
  try {
    const results: Result[] = [];
    for (const k of KS) results.push(...(await measure(api, bus, k)));
    report(results);
  } finally {
    redis.disconnect();
    await api.close();
  }
  // Left running (unref'd): it ends a run that a leaked handle would keep alive.
  watchdog.stage('exit');
}

await main();
