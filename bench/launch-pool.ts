/**
 * Request → `ready` of a cached launch with and without the warm pool, in one run, on
 * the real local stack: the api (a child process) with the real JupyterHub launcher,
 * JupyterHub with DockerSpawner starting real notebook servers, Redis, the registry, and
 * two git repositories served on loopback whose images "exist" (the base image's
 * manifest copied under their names). One is pooled (`LaunchPool.specs`, size 10), the
 * other not. Both use the `HEAD` ref, so every request resolves it (`git ls-remote`) as
 * a launch of a branch does.
 *
 * Pooled launches run in rounds of 10 that each start with a full pool (so each round
 * measures hits; the pool refills between rounds, and during the sequential rounds it
 * refills while the later requests are measured). Unpooled launches run in rounds of 10
 * as well. Servers are deleted after each round. Every pooled sample is checked to be a
 * hit (its server was in the pool when the round began), every unpooled one a spawn.
 *
 *   npx tsx bench/launch-pool.ts [N per case=20]
 */
import { PoolStore } from '../api/pool/pool-store.js';
import { createRedis, keyNames } from '../queue/index.js';
import { removeHubUsers, removeServersOf } from '../test/helpers/hub-users.js';
import { phaseSequence, readEventStream } from '../test/helpers/sse-client.js';
import { serveGitRepo, stackInfo, type ServedGitRepo } from '../test/helpers/stack.js';
import { startApiProcess, type ApiProcess } from './lib/api-process.js';
import { machineFacts } from './lib/machine.js';
import { copyRegistryImage, type RegistryImage } from './lib/registry-image.js';
import { ms, summarise, type Summary } from './lib/stats.js';
import { markdownTable, printTable, verdictTable } from './lib/table.js';
import { waitFor } from './lib/wait-for.js';
import { startWatchdog } from './lib/watchdog.js';

const N = Number(process.argv[2] ?? 20);
const ROUND = 10;

interface Sample {
  launching: number;
  ready: number;
  user: string;
}

const specOf = (repo: ServedGitRepo) => `${encodeURIComponent(repo.url)}/HEAD`;

/** One launch; throws unless it went built → launching → ready (an existing image). */
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
  const last = r.events.at(-1)?.data ?? {};
  if (phases !== 'built → launching → ready') {
    throw new Error(`unexpected launch: ${phases}: ${JSON.stringify(last)}`);
  }
  const user = /\/user\/([^/]+)\//.exec(String(last.url))?.[1] ?? '';
  return { launching, ready, user };
}

async function oneRound(url: string, concurrent: boolean): Promise<Sample[]> {
  if (concurrent) return Promise.all(Array.from({ length: ROUND }, () => launchOnce(url)));
  const out: Sample[] = [];
  for (let i = 0; i < ROUND; i++) out.push(await launchOnce(url));
  return out;
}

interface Case {
  name: string;
  samples: Sample[];
  hits: number;
}

class Bench {
  constructor(
    private readonly api: ApiProcess,
    private readonly store: PoolStore,
  ) {}

  private async poolFull(): Promise<Set<string>> {
    const ready = async () => (await this.store.entries()).filter((e) => e.state === 'ready');
    await waitFor(async () => (await ready()).length === ROUND, 'a full pool', 600_000, 250);
    return new Set((await ready()).map((e) => e.server.user));
  }

  /** Rounds of 10 until `N` samples; each round starts with a full (hence idle) pool. */
  async run(name: string, repo: ServedGitRepo, pooled: boolean, concurrent: boolean) {
    const url = `${this.api.ready.url}build/git/${specOf(repo)}`;
    const c: Case = { name, samples: [], hits: 0 };
    while (c.samples.length < N) {
      const inPool = await this.poolFull();
      const round = await oneRound(url, concurrent);
      const hits = round.filter((s) => inPool.has(s.user)).length;
      if (hits !== (pooled ? ROUND : 0))
        throw new Error(`${name}: ${hits} hits in a round of ${ROUND}`);
      c.hits += hits;
      c.samples.push(...round);
      await removeHubUsers(round.map((s) => s.user));
      process.stderr.write(`${name}: ${c.samples.length}/${N}\n`);
    }
    return c;
  }
}

function report(cases: Case[]) {
  const ready = (c: Case) => summarise(c.samples.map((s) => s.ready));
  const [ps, pc, us, uc] = cases.map(ready) as [Summary, Summary, Summary, Summary];
  const ratio = (u: Summary, p: Summary) => u.p50 / p.p50;
  printTable(
    'Warm pool: request → `ready` of a cached launch, pooled vs unpooled (same run)',
    verdictTable([
      {
        metric: 'pooled ready p50, sequential',
        target: '≤ 300 ms',
        measured: `${ms(ps.p50)} ms`,
        met: ps.p50 <= 300,
      },
      {
        metric: 'pooled ready p50, 10 at a time',
        target: '≤ 300 ms',
        measured: `${ms(pc.p50)} ms`,
        met: pc.p50 <= 300,
      },
      {
        metric: 'unpooled p50 ÷ pooled p50, sequential',
        target: '≥ 10×',
        measured: `${ratio(us, ps).toFixed(1)}×`,
        met: ratio(us, ps) >= 10,
      },
      {
        metric: 'unpooled p50 ÷ pooled p50, 10 at a time',
        target: '≥ 10×',
        measured: `${ratio(uc, pc).toFixed(1)}×`,
        met: ratio(uc, pc) >= 10,
      },
    ]),
  );
  printTable(
    'Details (ms; "launching" = request → first `launching` event)',
    markdownTable(
      [
        'case',
        'n',
        'pool hits',
        'ready p50',
        'ready p90',
        'ready p99',
        'ready max',
        'launching p50',
      ],
      cases.map((c) => {
        const r = ready(c);
        const l = summarise(c.samples.map((s) => s.launching));
        return [
          c.name,
          String(r.n),
          String(c.hits),
          ms(r.p50),
          ms(r.p90),
          ms(r.p99),
          ms(r.max),
          ms(l.p50),
        ];
      }),
    ),
  );
  process.stdout.write(`\nmachine: ${machineFacts()}\n`);
}

async function main() {
  const watchdog = startWatchdog(60 * 60_000);
  const pooledRepo = await serveGitRepo({ 'README.md': 'launch-pool bench: pooled\n' });
  const plainRepo = await serveGitRepo({ 'README.md': 'launch-pool bench: not pooled\n' });
  const api = await startApiProcess({
    config: {
      BinderHub: { log_level: 'error' },
      RateLimiter: { limit: 1_000_000_000 },
      LaunchPool: {
        specs: [{ spec: `git/${specOf(pooledRepo)}`, size: ROUND }],
        max_servers: ROUND,
        refill_interval: 2,
        max_age: 3600,
      },
    },
  });
  const redis = createRedis(stackInfo().redisUrl, 'command');
  const images: RegistryImage[] = [];
  try {
    for (const repo of [pooledRepo, plainRepo]) {
      const { image } = await api.plan('git', specOf(repo), repo.sha);
      images.push(
        await copyRegistryImage(stackInfo().registryUrl, 'binderhub-ts/jupyter-base:1', image),
      );
    }
    const bench = new Bench(api, new PoolStore(redis, keyNames(api.ready.keyPrefix)));
    watchdog.stage('warm-up');
    const warm = await launchOnce(`${api.ready.url}build/git/${specOf(plainRepo)}`);
    await removeHubUsers([warm.user]);
    const cases: Case[] = [];
    for (const [name, repo, pooled, concurrent] of [
      ['pooled, sequential', pooledRepo, true, false],
      ['pooled, 10 at a time', pooledRepo, true, true],
      ['unpooled, sequential', plainRepo, false, false],
      ['unpooled, 10 at a time', plainRepo, false, true],
    ] as const) {
      watchdog.stage(name);
      cases.push(await bench.run(name, repo, pooled, concurrent));
    }
    report(cases);
  } finally {
    watchdog.stage('cleanup');
    await api.close();
    await removeServersOf(api.ready.imagePrefix);
    for (const image of images) await image.delete();
    redis.disconnect();
    await pooledRepo.close();
    await plainRepo.close();
  }
  watchdog.stage('exit');
}

await main();
