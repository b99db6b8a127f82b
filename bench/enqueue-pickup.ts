/**
 * Enqueue → runner pickup: from the call of `BuildQueue.enqueue` (the api's producer,
 * with its look-ups: existing job, last event) to the start of a BullMQ Worker's
 * processor, over 1,000 jobs on a queue of its own. The worker has a no-op processor and
 * the runner's worker options (runners/runner.ts: lock 10 s, stall check 5 s,
 * `Runner.concurrency` 2). Jobs are sent one at a time: each is enqueued only after the
 * previous one was picked up, the runner being idle and blocked waiting for work — the
 * latency a person who clicks a link pays. Two rows: back to back, and with a 20 ms pause
 * between jobs (the worker fully asleep on its blocking wait). Both clocks are
 * `performance.now()` of this one process.
 *
 *   npx tsx bench/enqueue-pickup.ts [jobs=1000]
 *
 * Needs the local stack's Redis (bash scripts/stack.sh up).
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { parseConfig } from '../queue/config/index.js';
import { BuildQueue, createRedis, keyNames, RedisEventBus, type BuildJob } from '../queue/index.js';
import { stackInfo } from '../test/helpers/stack.js';
import { machineFacts } from './lib/machine.js';
import { deleteKeysUnder } from './lib/redis-cleanup.js';
import { startWatchdog, within } from './lib/watchdog.js';
import { ms, summarise, type Summary } from './lib/stats.js';
import { markdownTable, printTable, verdictTable, type TargetRow } from './lib/table.js';

const JOBS = Number(process.argv[2] ?? 1000);
const id = randomUUID().slice(0, 8);
const PREFIX = `bench-${id}`;
const QUEUE = `pickup-${id}`;
/** A pickup later than this counts as lost (BullMQ's own fallback poll is drainDelay, 5 s). */
const LOST_MS = 10_000;
const watchdog = startWatchdog(15 * 60_000);

function job(i: number, run: string): BuildJob {
  const sha = `${run}${i}`.padEnd(40, '0').slice(0, 40);
  return {
    buildName: `build-bench-pickup-${run}-${i}`,
    image: `127.0.0.1:5000/binder-bench-pickup:${sha}`,
    provider: 'git',
    providerName: 'Git',
    spec: `https%3A%2F%2Fexample.org%2Fbench.git/${sha}`,
    resolvedSpec: `https%3A%2F%2Fexample.org%2Fbench.git/${sha}`,
    repoUrl: 'https://example.org/bench.git',
    ref: sha,
    trigger: 'launch',
    requestedAt: Date.now(),
  };
}

interface Row {
  name: string;
  lost: number;
  pickup: Summary;
  enqueueCall: Summary;
}

interface Bench {
  queue: BuildQueue;
  worker: Worker<BuildJob>;
  /** buildName → resolves with the time its processor started. */
  waiting: Map<string, (t: number) => void>;
  close(): Promise<void>;
}

/** The api's producer and a runner-like worker with a no-op processor, on a fresh queue. */
async function startBench(): Promise<Bench> {
  const config = parseConfig({ Redis: { url: stackInfo().redisUrl, key_prefix: PREFIX } });
  const q = config.BuildQueue;
  const command = createRedis(config.Redis.url, 'command');
  const producer = createRedis(config.Redis.url, 'producer');
  const bus = new RedisEventBus({ redis: command, keys: keyNames(PREFIX), maxHistory: 1000 });
  const queue = new BuildQueue({
    name: QUEUE,
    prefix: PREFIX,
    connection: producer,
    bus,
    interactivePriority: q.interactive_priority,
    prebuildPriority: q.prebuild_priority,
    keepCompleted: q.keep_completed,
    keepFailed: q.keep_failed,
  });
  const waiting = new Map<string, (t: number) => void>();
  const processor = async (j: { data: BuildJob }) => {
    waiting.get(j.data.buildName)?.(performance.now());
    return { image: j.data.image, durationMs: 0 };
  };
  // BullMQ never closes a connection it was given: disconnect it ourselves.
  const workerConnection = createRedis(config.Redis.url, 'worker');
  const worker = new Worker<BuildJob>(QUEUE, processor, {
    connection: workerConnection,
    prefix: PREFIX,
    concurrency: config.Runner.concurrency,
    lockDuration: 10_000,
    stalledInterval: 5_000,
    maxStalledCount: 3,
  });
  await worker.waitUntilReady();
  const close = async () => {
    await worker.close();
    await queue.bullmq.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await deleteKeysUnder(command, PREFIX);
    command.disconnect();
    producer.disconnect();
    workerConnection.disconnect();
  };
  return { queue, worker, waiting, close };
}

/** `n` jobs one at a time: each enqueued once the previous one was picked up. */
async function run(b: Bench, name: string, n: number, pauseMs: number): Promise<Row> {
  watchdog.stage(name);
  const pickup: number[] = [];
  const calls: number[] = [];
  let lost = 0;
  const runId = randomUUID().slice(0, 6);
  for (let i = 0; i < n; i++) {
    const data = job(i, runId);
    const picked = new Promise<number>((r) => b.waiting.set(data.buildName, r));
    const t0 = performance.now();
    const { outcome } = await b.queue.enqueue(data);
    calls.push(performance.now() - t0);
    if (outcome !== 'queued') throw new Error(`job ${i} was ${outcome}, not queued`);
    const at = await within(picked, LOST_MS, Number.NaN);
    if (Number.isNaN(at)) lost++;
    else pickup.push(at - t0);
    b.waiting.delete(data.buildName);
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  return { name, lost, pickup: summarise(pickup), enqueueCall: summarise(calls) };
}

async function main() {
  watchdog.stage('worker start');
  const b = await startBench();
  try {
    await run(b, 'warm-up', 100, 0);
    const rows = [
      await run(b, 'back to back', JOBS, 0),
      await run(b, '20 ms pause between jobs (worker asleep)', JOBS, 20),
    ];
    report(rows);
  } finally {
    watchdog.stage('clean-up');
    await b.close();
    // Left running (unref'd): it ends a run that a leaked handle would keep alive.
    watchdog.stage('exit');
  }
}

function report(rows: Row[]) {
  const verdict: TargetRow[] = rows.flatMap((r) => [
    {
      metric: `enqueue → pickup p50, ${r.name}`,
      target: '≤ 5 ms',
      measured: `${ms(r.pickup.p50)} ms`,
      met: r.pickup.p50 <= 5,
    },
    {
      metric: `enqueue → pickup p99, ${r.name}`,
      target: '≤ 20 ms',
      measured: `${ms(r.pickup.p99)} ms${r.lost ? ` (${r.lost} jobs not picked up within ${LOST_MS / 1000} s)` : ''}`,
      met: r.pickup.p99 <= 20 && r.lost === 0,
    },
  ]);
  printTable(
    'Enqueue → runner pickup (BuildQueue.enqueue → BullMQ processor start)',
    verdictTable(verdict),
  );
  const header = [
    'case',
    'jobs',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'enqueue() p50 ms',
    'enqueue() p99 ms',
  ];
  const detail = rows.map((r) => [
    r.name,
    `${r.pickup.n}${r.lost ? ` (+${r.lost} lost)` : ''}`,
    ms(r.pickup.p50),
    ms(r.pickup.p90),
    ms(r.pickup.p99),
    ms(r.pickup.max),
    ms(r.enqueueCall.p50),
    ms(r.enqueueCall.p99),
  ]);
  printTable('Details (enqueue() = the producer call alone)', markdownTable(header, detail));
  process.stdout.write(`\nmachine: ${machineFacts()}\n`);
}

await main();
