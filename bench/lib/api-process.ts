import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiServerOptions, Plan, ReadyMessage, Reply, Stats } from './api-messages.js';

export interface ApiProcess {
  pid: number;
  ready: ReadyMessage;
  stats(): Promise<Stats>;
  plan(prefix: string, spec: string, ref: string): Promise<Plan>;
  /** CPU time (user + system, ms) the process has used so far (`/proc/<pid>/stat`). */
  cpuMs(): number;
  close(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./api-server.ts', import.meta.url));
/** The repository root: `--import tsx` is resolved from the child's working directory. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "pid (comm) ": state=0 … utime=11 stime=12
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function extraFlags(): string[] {
  return (process.env['BENCH_API_NODE_OPTIONS'] ?? '').split(' ').filter(Boolean);
}

/** Starts bench/lib/api-server.ts in a child process (with --expose-gc) and waits for it. */
export async function startApiProcess(opts: ApiServerOptions = {}): Promise<ApiProcess> {
  const child: ChildProcess = fork(SERVER, [JSON.stringify(opts)], {
    // BENCH_API_NODE_OPTIONS: extra flags for the api (e.g. --cpu-prof, --heapsnapshot-signal=SIGUSR2).
    execArgv: ['--expose-gc', '--import', 'tsx', ...extraFlags()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: ROOT,
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`api-server exited with ${code}`)));
    child.on('message', (m: ReadyMessage | Reply) => {
      if ('type' in m) return resolve(m);
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(m.error));
    });
  });
  const call = <T>(msg: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, ...msg });
    });
  const pid = child.pid!;
  process.stdout.write(`api process ${pid}: ${ready.code}\n`);
  return {
    pid,
    ready,
    stats: () => call<Stats>({ type: 'stats' }),
    plan: (prefix, spec, ref) => call<Plan>({ type: 'plan', prefix, spec, ref }),
    cpuMs: () => cpuMsOf(pid),
    async close() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      await call({ type: 'close' }).catch(() => undefined);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
