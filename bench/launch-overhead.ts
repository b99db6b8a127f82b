/**
 * Orchestration overhead of a launch whose image exists: time from the `/build` request
 * to the arrival of the first `launching` event at the client, with warm caches. The
 * JupyterHub spawn that follows `launching` is excluded BY DEFINITION of the target
 * (targets.md: "everything except JupyterHub's own spawn"), so the app is built with
 * `createApp({...deps, launcher: InstantLauncher})`; everything before it is real: the
 * `git` provider with a 40-hex sha ref (no ls-remote), the registry client with its
 * positive cache warm (after the first request), the per-IP rate limit in Redis (enabled,
 * with a limit too high to trip), the SSE stream, Express.
 *
 * For comparison it also runs the same launch with the caches defeated, as upstream
 * does on every request (resolve over the network, then a manifest GET): a fresh
 * DockerRegistry per request (manifest GET to the local registry) and a branch ref
 * (`git ls-remote` against a local git http server). That is this implementation doing
 * upstream's round trips on loopback — a LOWER bound for upstream, which goes to
 * api.github.com and a remote registry with a token GET; it is not upstream itself.
 *
 *   npx tsx bench/launch-overhead.ts [warm requests=1000] [uncached requests=200]
 *
 * Needs the local stack (bash scripts/stack.sh up): Redis, registry.
 */
import { phaseSequence, readEventStream } from '../test/helpers/sse-client.js';
import { serveGitRepo, stackInfo } from '../test/helpers/stack.js';
import { startApiProcess, type ApiProcess } from './lib/api-process.js';
import { startWatchdog } from './lib/watchdog.js';
import { machineFacts } from './lib/machine.js';
import { copyRegistryImage } from './lib/registry-image.js';
import { ms, summarise, type Summary } from './lib/stats.js';
import { markdownTable, printTable, verdictTable, type TargetRow } from './lib/table.js';

const WARM_N = Number(process.argv[2] ?? 1000);
const COLD_N = Number(process.argv[3] ?? 200);
const CLIENTS = 20;

interface Sample {
  launching: number;
  ready: number;
}

/** One launch; throws unless it went built → launching → ready (no build). */
async function launchOnce(url: string): Promise<Sample> {
  const t0 = performance.now();
  let launching = Number.NaN;
  const r = await readEventStream(url, {
    onEvent: (e) => {
      if (e.phase === 'launching' && Number.isNaN(launching)) launching = performance.now() - t0;
    },
  });
  const ready = performance.now() - t0;
  const phases = phaseSequence(r.events).join(' → ');
  if (phases !== 'built → launching → ready') {
    throw new Error(`unexpected launch: ${phases}: ${JSON.stringify(r.events.at(-1)?.data)}`);
  }
  return { launching, ready };
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

interface Run {
  launching: Summary;
  ready: Summary;
  perSecond: number;
  /** CPU time the api process used per launch (user + system). */
  apiCpuMs: number;
  /** CPU time this (client) process used per launch. */
  clientCpuMs: number;
}

async function run(api: ApiProcess, url: string, total: number, lanes: number): Promise<Run> {
  const samples: Sample[] = [];
  let next = 0;
  const lane = async () => {
    while (next < total) {
      next++;
      samples.push(await launchOnce(url));
    }
  };
  const cpu0 = api.cpuMs();
  const client0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: lanes }, lane));
  const seconds = (performance.now() - started) / 1000;
  return {
    launching: summarise(samples.map((s) => s.launching)),
    ready: summarise(samples.map((s) => s.ready)),
    perSecond: samples.length / seconds,
    apiCpuMs: (api.cpuMs() - cpu0) / samples.length,
    clientCpuMs: cpuMs(process.cpuUsage(client0)) / samples.length,
  };
}

function detailRow(name: string, r: Run): string[] {
  const l = r.launching;
  return [name, String(l.n), ms(l.p50), ms(l.p90), ms(l.p99), ms(l.max), ms(r.ready.p50)].concat(
    ms(r.apiCpuMs),
    ms(r.clientCpuMs),
    String(Math.round(r.perSecond)),
  );
}

async function bench(api: ApiProcess, repo: { url: string; sha: string }) {
  const specFor = (ref: string) => `${encodeURIComponent(repo.url)}/${ref}`;
  const { image } = await api.plan('git', specFor(repo.sha), repo.sha);
  const copy = await copyRegistryImage(
    stackInfo().registryUrl,
    'binderhub-ts/jupyter-base:1',
    image,
  );
  const warm = `${api.ready.instantUrl!}build/git/`;
  const cold = `${api.ready.uncachedUrl!}build/git/`;
  try {
    await run(api, warm + specFor(repo.sha), 100, 4); // warm-up: JIT, pools, registry cache
    const rows: Array<[string, Run]> = [];
    rows.push(['warm caches, sequential', await run(api, warm + specFor(repo.sha), WARM_N, 1)]);
    rows.push([
      `warm caches, ${CLIENTS} concurrent clients`,
      await run(api, warm + specFor(repo.sha), WARM_N, CLIENTS),
    ]);
    await run(api, cold + specFor('main'), 20, 1);
    rows.push([
      'registry cache off (manifest GET each), sequential',
      await run(api, cold + specFor(repo.sha), COLD_N, 1),
    ]);
    rows.push([
      'registry cache off + ls-remote each (branch ref), sequential',
      await run(api, cold + specFor('main'), COLD_N, 1),
    ]);
    const expected = 100 + 2 * WARM_N + 20 + 2 * COLD_N;
    const { launches } = await api.stats();
    if (launches !== expected) throw new Error(`launcher saw ${launches} of ${expected} launches`);
    report(rows);
  } finally {
    await copy.delete();
  }
}

function verdictRows(seq: Summary, conc: Summary, upstreamLike: Summary): TargetRow[] {
  const ratio = upstreamLike.p50 / seq.p50;
  const row = (metric: string, v: number, limit: number): TargetRow => ({
    metric,
    target: `≤ ${limit} ms`,
    measured: `${ms(v)} ms`,
    met: v <= limit,
  });
  return [
    row('request → launching p50, sequential', seq.p50, 20),
    row('request → launching p99, sequential', seq.p99, 100),
    row(`request → launching p50, ${CLIENTS} concurrent clients`, conc.p50, 20),
    row(`request → launching p99, ${CLIENTS} concurrent clients`, conc.p99, 100),
    {
      metric: 'p50 of upstream-like round trips on loopback ÷ p50 warm (a proxy, not upstream)',
      target: '≥ 5×',
      measured: `${ratio.toFixed(1)}×`,
      met: ratio >= 5,
    },
  ];
}

function report(rows: Array<[string, Run]>) {
  const [seq, conc, , upstreamLike] = rows.map(([, r]) => r.launching);
  printTable(
    'Launch orchestration overhead (request → first `launching` event; hub spawn excluded)',
    verdictTable(verdictRows(seq!, conc!, upstreamLike!)),
  );
  const header = ['case', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'ready p50 ms'].concat(
    'api CPU ms/launch',
    'client CPU ms/launch',
    'launches/s',
  );
  printTable(
    'Details (latencies are request → `launching`; "ready" = end of stream with the instant launcher)',
    markdownTable(
      header,
      rows.map(([name, r]) => detailRow(name, r)),
    ),
  );
  process.stdout.write(`\nmachine: ${machineFacts()}\n`);
}

async function main() {
  const watchdog = startWatchdog(15 * 60_000);
  const repo = await serveGitRepo({ 'README.md': 'launch-overhead bench\n' });
  const api = await startApiProcess({
    config: { BinderHub: { log_level: 'error' }, RateLimiter: { limit: 1_000_000_000 } },
    instantLauncher: true,
    uncachedRegistry: true,
  });
  try {
    await bench(api, repo);
  } finally {
    await api.close();
    await repo.close();
  }
  // Left running (unref'd): it ends a run that a leaked handle would keep alive.
  watchdog.stage('exit');
}

await main();
