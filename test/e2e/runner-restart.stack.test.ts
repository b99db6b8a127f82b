import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// A runner process killed mid-build: the job stalls, a new runner process picks it up and
// re-attaches to the repo2docker still running; the waiting client sees the build go on
// (every log line once) and launches. Real Redis, Docker, registry, JupyterHub, git.

const CLI = fileURLToPath(new URL('../../bin/binderhub-ts.js', import.meta.url));
// A unique first line defeats Docker's layer cache, so the slow step really runs.
const SLOW = [
  'FROM binderhub-ts/jupyter-base:1',
  `RUN echo "run ${randomUUID()}" && for i in $(seq 1 25); do echo "tick $i"; sleep 1; done`,
  '',
].join('\n');

function startRunnerProcess(configFile: string): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [CLI, 'runner', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

// Docker may hand several output lines over in one log message.
const ticks = (events: ReceivedEvent[]) =>
  events.flatMap((e) => [...(e.message ?? '').matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1])));

/** Reconnects as EventSource would (Last-Event-ID) and collects ticks until tick 6. */
async function resumeFrom(url: string, lastEventId: string): Promise<number[]> {
  const abort = new AbortController();
  const seen: number[] = [];
  await readEventStream(`${url}?build_only=true`, {
    headers: { 'last-event-id': lastEventId },
    signal: abort.signal,
    onEvent: (e) => {
      seen.push(...ticks([e]));
      if (seen.includes(6)) abort.abort();
    },
  }).catch(() => undefined);
  return seen;
}

describe('runner restarted mid-build', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  const runners: ChildProcess[] = [];
  let readyUrl = '';

  beforeAll(async () => {
    await requireStack();
    h = await startHarness({
      runner: false,
      config: { Runner: { metrics_port: 0 }, BinderHub: { log_level: 'info' } },
    });
    repo = await serveGitRepo({ Dockerfile: SLOW });
  });
  afterAll(async () => {
    for (const r of runners) r.kill('SIGKILL');
    if (readyUrl) await h.stopServer(readyUrl);
    await repo?.close();
    await h?.close();
  });

  it('re-attaches to the running build; the client sees it continue and launch', async () => {
    const first = startRunnerProcess(h.configFile);
    runners.push(first.child);
    let second: ReturnType<typeof startRunnerProcess> | undefined;
    let earlyId: string | undefined;
    let resumed: Promise<number[]> | undefined;
    const url = `${h.url}build/git/${encodeURIComponent(repo.url)}/HEAD`;
    const { events } = await readEventStream(url, {
      onEvent: (e) => {
        const t = ticks([e]);
        if (t.includes(1)) earlyId = e.id;
        if (t.includes(2) && !resumed) resumed = resumeFrom(url, earlyId!);
        if (t.includes(3) && !second) {
          first.child.kill('SIGKILL');
          second = startRunnerProcess(h.configFile);
          runners.push(second.child);
        }
      },
    });
    const last = events[events.length - 1]!;
    expect(last.phase, JSON.stringify(last.data)).toBe('ready');
    readyUrl = String(last.data.url);
    // One build: every tick exactly once, in order — no restart from tick 1, no repeats.
    expect(ticks(events)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(second!.output()).toMatch(/re-attaching to a build that is still running/);

    // A client reconnecting mid-build with Last-Event-ID gets what followed that event, once.
    expect(earlyId).toMatch(/^\d+-\d+$/);
    const again = await resumed!;
    expect(again).not.toContain(1);
    expect(again).toContain(6);
    expect(again).toEqual(Array.from({ length: again.length }, (_, i) => again[0]! + i));
  }, 240_000);
});
