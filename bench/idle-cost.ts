/**
 * Idle cost: what a `binderhub-ts local` process (api and runner in one, as
 * `scripts/stack.sh up` runs it) spends while nobody uses it. The real CLI runs in a child
 * process as the stack runs it (`node bin/binderhub-ts.js local`: the compiled `dist/`
 * when `npm run build` is newer than the sources, else the sources through tsx;
 * `BENCH_VIA_TSX=1` forces `node --import tsx bin/binderhub-ts.ts`), against a
 * redis-server this bench starts on a free port with a password (so every command that
 * Redis counts is the process's own), and the local stack's registry and JupyterHub. After `/versions` answers, one `/health`
 * (as `stack.sh up` asks) and a settling pause, nothing is sent to it for the idle window.
 *
 * Measured over the window: CPU time of the process (and, apart, of its children: tsx's
 * esbuild service), context switches of all its threads (wake-ups), Redis commands by
 * name; at the end: its RSS, and its V8 heap read from its own `/metrics`.
 *
 *   npx tsx bench/idle-cost.ts [idle seconds=60] [settle seconds=60] [command=local]
 *
 * Needs the local stack (bash scripts/stack.sh up) and `redis-server` on the PATH.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { createRedis } from '../queue/index.js';
import { freePort, startCli, waitForOk } from '../test/helpers/cli-process.js';
import { requireStack } from '../test/helpers/stack.js';
import { machineFacts, rssBytes } from './lib/machine.js';
import { printTable, verdictTable, markdownTable } from './lib/table.js';
import { startWatchdog } from './lib/watchdog.js';

const IDLE_S = Number(process.argv[2] ?? 60);
const SETTLE_S = Number(process.argv[3] ?? 60);
const COMMAND = (process.argv[4] ?? 'local') as 'local' | 'api' | 'runner';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const VIA_TSX = process.env.BENCH_VIA_TSX === '1';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const watchdog = startWatchdog((IDLE_S + SETTLE_S + 180) * 1000);

/** Before the idle work (issue 11): the `local` process on the stack, and upstream's. */
const BEFORE = { cpuPerMinute: 0.37, rssMb: 206, upstreamCpu: 0.0, upstreamRssMb: 122 };
/**
 * CPU seconds per idle minute left by the timers an idle process must keep (heartbeat,
 * BullMQ's stalled-job check, its blocking wait, event-loop sampling): about 200 short
 * wake-ups a minute, a few 10 ms ticks. Busy polling shows as ten times more.
 */
const CPU_TARGET = 0.05;

/** Newest mtime of the `.ts`/`.css` files under `dir` (bin/binderhub-ts.js's rule). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|css)$/.test(e.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Which code `node bin/binderhub-ts.js` runs here. */
function codeLabel(): string {
  if (VIA_TSX) return 'sources through tsx';
  const built = join(ROOT, 'dist', 'bin', 'binderhub-ts.js');
  const sources = Math.max(
    ...['api', 'queue', 'runners', 'bin'].map((d) => newestSource(join(ROOT, d))),
  );
  return existsSync(built) && statSync(built).mtimeMs >= sources
    ? 'compiled dist/'
    : 'sources through tsx (dist/ missing or stale: npm run build)';
}

function stat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const f = stat(pid);
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
}

/** Direct and indirect children of `pid` (`/proc/<pid>/task/*\/children`). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const raw = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of raw ? raw.split(' ').map(Number) : [])
      out.push(child, ...descendants(child));
  }
  return out;
}

/** Voluntary + involuntary context switches of every thread of `pid`. */
function contextSwitches(pid: number): number {
  let n = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    for (const m of text.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)/gm)) n += Number(m[1]);
  }
  return n;
}

/** `cmdstat_<name>:calls=N,…` of `INFO commandstats`. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls.set(m[1]!, Number(m[2]));
  return calls;
}

interface Snapshot {
  at: number;
  cpu: number;
  childCpu: number;
  switches: number;
  calls: Map<string, number>;
}

async function snapshot(pid: number, redis: Redis): Promise<Snapshot> {
  const children = descendants(pid);
  return {
    at: performance.now(),
    cpu: cpuSeconds(pid),
    childCpu: children.reduce((sum, c) => sum + cpuSeconds(c), 0),
    switches: contextSwitches(pid),
    calls: await commandCalls(redis),
  };
}

/** A redis-server of the bench's own, with a password, on a free port. */
async function startRedis() {
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--requirepass', password], { stdio: 'ignore' });
  const url = `redis://:${password}@127.0.0.1:${port}`;
  const admin = createRedis(url, 'command');
  await admin.ping();
  return {
    url,
    admin,
    async stop() {
      admin.disconnect();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function heapUsedMb(metrics: string): string {
  const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics);
  return m ? (Number(m[1]) / 2 ** 20).toFixed(1) : 'n/a';
}

/** Garbage collections so far: runs and seconds, from prom-client's `nodejs_gc_duration_seconds`. */
function gcTotals(metrics: string): { runs: number; seconds: number } {
  const sum = (suffix: string) =>
    [
      ...metrics.matchAll(
        new RegExp(`^nodejs_gc_duration_seconds_${suffix}\\{[^}]*\\} (\\S+)$`, 'gm'),
      ),
    ].reduce((total, m) => total + Number(m[1]), 0);
  return { runs: sum('count'), seconds: sum('sum') };
}

const scrape = async (url: string) => (await fetch(url)).text();

async function main(): Promise<void> {
  await requireStack();
  watchdog.stage('start');
  const redis = await startRedis();
  const [apiPort, runnerPort] = [await freePort(), await freePort()];
  const cli = await startCli(
    COMMAND,
    {
      BinderHub: { port: apiPort, log_level: 'warn' },
      Runner: { metrics_port: runnerPort },
      Redis: { url: redis.url },
    },
    { viaTsx: VIA_TSX },
  );
  try {
    const base =
      COMMAND === 'runner' ? `http://127.0.0.1:${runnerPort}/` : `http://127.0.0.1:${apiPort}/`;
    await waitForOk(`${base}${COMMAND === 'runner' ? 'metrics' : 'versions'}`, cli);
    await fetch(`${base}health`).then((r) => r.arrayBuffer());
    watchdog.stage('settle');
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    const pid = cli.child.pid!;
    watchdog.stage('idle');
    const gcBefore = gcTotals(await scrape(`${base}metrics`));
    const a = await snapshot(pid, redis.admin);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const b = await snapshot(pid, redis.admin);
    const after = await scrape(`${base}metrics`);
    const gcAfter = gcTotals(after);
    const rssMb = rssBytes(pid) / 2 ** 20;
    const childRssMb = descendants(pid).reduce((sum, c) => sum + rssBytes(c), 0) / 2 ** 20;
    const heap = heapUsedMb(after);

    const minutes = (b.at - a.at) / 60_000;
    const perMinute = (x: number) => x / minutes;
    const calls = [...b.calls]
      .map(([name, n]) => [name, n - (a.calls.get(name) ?? 0) - (name === 'info' ? 1 : 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((x, y) => y[1] - x[1]);
    const totalCalls = calls.reduce((sum, [, n]) => sum + n, 0);
    const cpu = perMinute(b.cpu - a.cpu);

    printTable(
      `Idle \`binderhub-ts ${COMMAND}\` (${codeLabel()}), ${(minutes * 60).toFixed(0)} s without requests (after ${SETTLE_S} s settling)`,
      verdictTable([
        {
          metric: 'CPU s per idle minute (the node process)',
          target: `≤ ${CPU_TARGET} (only the timers of docs/operating.md); before ${BEFORE.cpuPerMinute}, upstream ${BEFORE.upstreamCpu.toFixed(2)}`,
          measured: cpu.toFixed(3),
          met: cpu <= CPU_TARGET,
        },
        {
          metric: 'RSS MB (the node process)',
          target: `< ${BEFORE.rssMb} (before); upstream ${BEFORE.upstreamRssMb}`,
          measured: rssMb.toFixed(0),
          met: rssMb < BEFORE.rssMb,
        },
        {
          metric: 'CPU s per idle minute (children: tsx esbuild)',
          target: '—',
          measured: perMinute(b.childCpu - a.childCpu).toFixed(3),
          met: undefined,
        },
        {
          metric: 'RSS MB (children)',
          target: '—',
          measured: childRssMb.toFixed(0),
          met: undefined,
        },
        { metric: 'V8 heap used MB', target: '—', measured: heap, met: undefined },
        {
          metric: 'wake-ups (context switches) per second',
          target: '—',
          measured: (perMinute(b.switches - a.switches) / 60).toFixed(2),
          met: undefined,
        },
        {
          metric: 'garbage collections in the window (runs, ms)',
          target: '—',
          measured: `${gcAfter.runs - gcBefore.runs}, ${((gcAfter.seconds - gcBefore.seconds) * 1000).toFixed(0)}`,
          met: undefined,
        },
        {
          metric: 'Redis commands per idle minute',
          target: '—',
          measured: perMinute(totalCalls).toFixed(1),
          met: undefined,
        },
      ]),
    );
    printTable(
      'Redis commands during the idle window, per minute',
      markdownTable(
        ['command', 'per minute'],
        calls.map(([name, n]) => [name, perMinute(n).toFixed(1)]),
      ),
    );
    process.stdout.write(`\n${machineFacts()}\n`);
  } finally {
    watchdog.stage('exit');
    await cli.close();
    await redis.stop();
    watchdog.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
