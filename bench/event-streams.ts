/**
 * Concurrent idle `/build` event streams on ONE api process: memory per stream and the
 * number of Redis subscriptions. The api runs in a child process (bench/lib/api-server.ts,
 * the test harness's api with no runner) so its memory is measured apart from the
 * clients'. Every stream asks for the same image, which does not exist: each request
 * resolves (git provider, sha ref), looks in the registry (404), enqueues — attaching to
 * the one job, which nobody ever picks up — and follows the build's events. Streams are
 * raw TCP sockets (no agent, no pooling) opened 200 at a time.
 *
 * Memory per stream = (api RSS or V8 heap after a forced GC, with N streams open − the
 * same with none open, measured after a warm-up) ÷ N, for N = 1,000, 5,000, 10,000, right
 * after each level was opened; and, for the largest N, once the api has been idle for
 * 50 s (against the same process idle as long with no stream open): by then V8's memory
 * reducer has compacted the heap the opening burst left fragmented, as in a server whose
 * streams sit idle.
 * At the end one event is published on the bus and every stream must receive it, and
 * Redis must show ONE subscriber on the build's channel (PUBSUB NUMSUB).
 *
 *   ulimit -n 20000   # or more: both processes hold one descriptor per stream
 *   npx tsx bench/event-streams.ts [levels=1000,5000,10000]
 *
 * Needs the local stack (bash scripts/stack.sh up): Redis, registry.
 */
import { randomBytes } from 'node:crypto';
import { createRedis, keyNames, RedisEventBus } from '../queue/index.js';
import { stackInfo } from '../test/helpers/stack.js';
import { startApiProcess, type ApiProcess } from './lib/api-process.js';
import type { Stats } from './lib/api-messages.js';
import { startWatchdog } from './lib/watchdog.js';
import { machineFacts, openFilesLimit } from './lib/machine.js';
import { openMany, openSseSocket, type SseSocket } from './lib/sse-socket.js';
import { waitFor } from './lib/wait-for.js';
import { markdownTable, printTable, verdictTable, type TargetRow } from './lib/table.js';

const LEVELS = (process.argv[2] ?? '1000,5000,10000').split(',').map(Number);
const IN_FLIGHT = 200;
const TARGET_STREAMS = 10_000;
const TARGET_BYTES = 32 * 1024;
/** One `:keepalive` period (api default): every stream writes once in the window. */
const IDLE_WINDOW_MS = 25_000;
/** Further idle time before the "idle" memory reading (the CPU window comes first). */
const SETTLE_MS = 25_000;

interface Level {
  n: number;
  stats: Stats;
  openSeconds: number;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function checkFileLimits(api: ApiProcess, max: number): void {
  const need = max + 200;
  const have = Math.min(openFilesLimit('self'), openFilesLimit(api.pid));
  if (have < need) {
    throw new Error(
      `open-files limit ${have} < ${need} needed for ${max} streams: run \`ulimit -n ${need}\` first`,
    );
  }
}

async function bench(api: ApiProcess) {
  const sha = randomBytes(20).toString('hex');
  const spec = `${encodeURIComponent('http://127.0.0.1:9/bench/idle-streams.git')}/${sha}`;
  const url = new URL(`${api.ready.url}build/git/${spec}`);
  const { buildName } = await api.plan('git', spec, sha);
  const open = () => openSseSocket(url);
  const streams: SseSocket[] = [];
  // Warm-up: JIT, connection pools to Redis and the registry, the build's job.
  const warm = await openMany(200, IN_FLIGHT, open);
  warm.forEach((s) => s.close());
  await waitFor(
    async () => (await api.stats()).openStreams === 0,
    'the warm-up to close',
    60_000,
    100,
  );
  const base = await api.stats();
  const baseIdleCpu = await idleCpu(api);
  const baseIdle = await settled(api);
  const levels: Level[] = [];
  for (const n of LEVELS) {
    const started = performance.now();
    streams.push(...(await openMany(n - streams.length, IN_FLIGHT, open)));
    const openSeconds = (performance.now() - started) / 1000;
    await waitFor(async () => (await api.stats()).openStreams === n, `${n} streams`, 60_000, 100);
    levels.push({ n, stats: await api.stats(), openSeconds });
  }
  const topIdleCpu = await idleCpu(api);
  const idle = { base: baseIdle, top: await settled(api) };
  try {
    const fanOut = await checkFanOut(api, buildName, streams);
    report(base, levels, { ...fanOut, idleCpu: topIdleCpu, baseIdleCpu }, idle);
  } finally {
    streams.forEach((s) => s.close());
  }
}

/** Redis's view of the api's subscriptions, then one event that every stream must get. */
async function checkFanOut(api: ApiProcess, buildName: string, streams: SseSocket[]) {
  const redis = createRedis(stackInfo().redisUrl, 'command');
  try {
    const keys = keyNames(api.ready.keyPrefix);
    const numsub = (await redis.pubsub('NUMSUB', keys.buildChannel(buildName))) as [string, number];
    const channels = (await redis.pubsub('CHANNELS', `${api.ready.keyPrefix}:*`)) as string[];
    const { subscriptions } = await api.stats();
    const bus = new RedisEventBus({ redis, keys, maxHistory: 1000 });
    await bus.publish(buildName, { phase: 'building', message: 'probe\n' });
    await waitFor(
      () => streams.every((s) => s.frames >= 2),
      'the probe on every stream',
      60_000,
      100,
    );
    return {
      numsub: Number(numsub[1]),
      channels: channels.length,
      subscriptions,
      received: streams.filter((s) => s.frames >= 2).length,
    };
  } finally {
    redis.disconnect();
  }
}

interface Subs {
  numsub: number;
  channels: number;
  subscriptions: number;
  received: number;
  /** Fraction of one core the api used while the streams sat idle. */
  idleCpu: number;
  /** Same with no stream open. */
  baseIdleCpu: number;
}

/**
 * The api's memory once it has been idle for IDLE_WINDOW_MS + SETTLE_MS: V8's memory
 * reducer (full GCs that compact and give pages back, run when a process stops
 * allocating) has then run, as it does in a server whose streams sit idle.
 */
async function settled(api: ApiProcess): Promise<Stats> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return api.stats();
}

/** Fraction of one core the api uses over IDLE_WINDOW_MS while nothing happens. */
async function idleCpu(api: ApiProcess): Promise<number> {
  const cpu0 = api.cpuMs();
  await new Promise((r) => setTimeout(r, IDLE_WINDOW_MS));
  return (api.cpuMs() - cpu0) / IDLE_WINDOW_MS;
}

function report(base: Stats, levels: Level[], subs: Subs, idle: { base: Stats; top: Stats }) {
  const per = (l: Level, k: 'rss' | 'heapUsed' | 'heapTotal') => (l.stats[k] - base[k]) / l.n;
  const top = levels.at(-1)!;
  const idleRss = (idle.top.rss - idle.base.rss) / top.n;
  const idleHeap = (idle.top.heapUsed - idle.base.heapUsed) / top.n;
  const worst = Math.max(...levels.map((l) => per(l, 'rss')));
  const worstHeap = Math.max(...levels.map((l) => per(l, 'heapUsed')));
  const verdict: TargetRow[] = [
    {
      metric: 'idle streams held open by one api process',
      target: `≥ ${TARGET_STREAMS.toLocaleString('en')}`,
      measured: `${top.n.toLocaleString('en')} (probe received by ${subs.received.toLocaleString('en')})`,
      met: top.n >= TARGET_STREAMS && subs.received === top.n,
    },
    {
      metric: 'memory per stream, live V8 heap Δ ÷ N (worst level)',
      target: `≤ ${kib(TARGET_BYTES)}`,
      measured: kib(worstHeap),
      met: worstHeap <= TARGET_BYTES,
    },
    {
      metric: `memory per stream, process RSS Δ ÷ N, ${top.n.toLocaleString('en')} streams idle ${(IDLE_WINDOW_MS + SETTLE_MS) / 1000} s`,
      target: `≤ ${kib(TARGET_BYTES)}`,
      measured: `${kib(idleRss)} (live heap ${kib(idleHeap)})`,
      met: idleRss <= TARGET_BYTES,
    },
    {
      metric: 'memory per stream, process RSS Δ ÷ N, right after opening (worst level)',
      target: `≤ ${kib(TARGET_BYTES)}`,
      measured: kib(worst),
      met: worst <= TARGET_BYTES,
    },
    {
      metric: 'Redis subscribers on the build channel (PUBSUB NUMSUB)',
      target: '1',
      measured: `${subs.numsub} (channels under prefix: ${subs.channels}; bus feeds: ${subs.subscriptions})`,
      met: subs.numsub === 1 && subs.channels === 1 && subs.subscriptions === 1,
    },
  ];
  verdict.push({
    metric: `api CPU with ${top.n.toLocaleString('en')} idle streams (over one 25 s keepalive period)`,
    target: '—',
    measured: `${(subs.idleCpu * 100).toFixed(1)} % of one core (no streams: ${(subs.baseIdleCpu * 100).toFixed(1)} %)`,
    met: undefined,
  });
  printTable('Concurrent idle event streams on one api process', verdictTable(verdict));
  const rows = levels.map((l) => [
    l.n.toLocaleString('en'),
    mib(l.stats.rss),
    kib(per(l, 'rss')),
    kib(per(l, 'heapUsed')),
    kib(per(l, 'heapTotal')),
    kib((l.stats.external - base.external) / l.n),
    l.openSeconds.toFixed(1),
  ]);
  rows.unshift(['0 (after warm-up)', mib(base.rss), '—', '—', '—', '—', '—']);
  const header = ['streams', 'api RSS', 'RSS Δ/stream', 'heap used Δ/stream'].concat(
    'heap total Δ/stream',
    'external Δ/stream',
  );
  printTable(
    'Details (api process after a forced GC; Δ against 0 streams open)',
    markdownTable(header.concat('seconds to open'), rows),
  );
  process.stdout.write(`\nmachine: ${machineFacts()}\n`);
}

async function main() {
  const watchdog = startWatchdog(15 * 60_000);
  const api = await startApiProcess({ config: { BinderHub: { log_level: 'error' } } });
  try {
    checkFileLimits(api, Math.max(...LEVELS));
    await bench(api);
  } finally {
    await api.close();
  }
  // Left running (unref'd): it ends a run that a leaked handle would keep alive.
  watchdog.stage('exit');
}

await main();
