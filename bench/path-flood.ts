/**
 * Pathological request paths against the real api (child process, real Redis, no
 * runner): how long one 15,000-slash request takes, and how `/versions` answers while
 * F clients keep sending such requests back to back. The paths go to `/build` (refused
 * with a 414 `failed` event), to a launch page and to a legacy link (414 JSON), and a
 * 15,000-slash repository URL goes to `/api/builds?repo=` (query strings are not bounded
 * by the path guard, only by Node's 16 KiB header limit).
 *
 *   npx tsx bench/path-flood.ts [flooders=10] [versions=200]
 */
import { startApiProcess } from './lib/api-process.js';
import { machineFacts } from './lib/machine.js';
import { summarise, type Summary } from './lib/stats.js';
import { markdownTable, printTable } from './lib/table.js';
import { startWatchdog } from './lib/watchdog.js';

const FLOODERS = Number(process.argv[2] ?? 10);
const VERSIONS = Number(process.argv[3] ?? 200);
const SLASHES = '/'.repeat(15_000);

const floodPaths = [
  `build/gh/a${SLASHES}b`,
  `v2/gh/a${SLASHES}b`,
  `repo/a/b${SLASHES}c`,
  `api/builds?repo=https://h/a${SLASHES}b`,
];

async function timed(url: string, init?: RequestInit): Promise<number> {
  const t = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return performance.now() - t;
}

async function versionsLatency(base: string): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < VERSIONS; i++) samples.push(await timed(`${base}versions`));
  return summarise(samples);
}

async function main() {
  const watchdog = startWatchdog(10 * 60_000);
  const api = await startApiProcess({
    config: { BinderHub: { log_level: 'error', enable_api_only_mode: false } },
  });
  const base = api.ready.url;
  const init = { headers: { accept: 'text/event-stream' } };
  try {
    watchdog.stage('single requests');
    const perPath: Array<[string, Summary]> = [];
    for (const p of floodPaths) {
      const samples: number[] = [];
      for (let i = 0; i < 50; i++) samples.push(await timed(`${base}${p}`, init));
      perPath.push([p.slice(0, 14), summarise(samples)]);
    }
    watchdog.stage('baseline');
    const idle = await versionsLatency(base);
    watchdog.stage('flood');
    let stop = false;
    let sent = 0;
    const flooders = Array.from({ length: FLOODERS }, async (_, i) => {
      while (!stop) {
        await timed(`${base}${floodPaths[(i + sent) % floodPaths.length]}`, init);
        sent++;
      }
    });
    const cpu0 = api.cpuMs();
    const t0 = performance.now();
    const flooded = await versionsLatency(base);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = api.cpuMs() - cpu0;
    stop = true;
    await Promise.all(flooders);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    printTable(
      'One 15,000-slash request (50 each, sequential)',
      markdownTable(
        ['path', 'p50', 'p99', 'max'],
        perPath.map(([p, s]) => [p, ms(s.p50), ms(s.p99), ms(s.max)]),
      ),
    );
    printTable(
      `GET /versions, ${VERSIONS} sequential`,
      markdownTable(
        ['while', 'p50', 'p90', 'p99', 'max'],
        [
          ['idle', ms(idle.p50), ms(idle.p90), ms(idle.p99), ms(idle.max)],
          [
            `${FLOODERS} clients flood (${Math.round(sent / seconds)} req/s, api CPU ${((cpu / 1000 / seconds) * 100).toFixed(0)} %)`,
            ms(flooded.p50),
            ms(flooded.p90),
            ms(flooded.p99),
            ms(flooded.max),
          ],
        ],
      ),
    );
    process.stdout.write(`\nmachine: ${machineFacts()}\n`);
  } finally {
    await api.close();
  }
  watchdog.stage('exit');
}

await main();
