import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { openRawSse, waitFor, type RawFrame } from '../helpers/raw-sse-socket.js';
import { readEventStream } from '../helpers/sse-client.js';

// A client that stops reading must not grow the api's memory: the api (real, in-process,
// real Redis) waits for `drain`, drops a client that stays behind, and the client resumes
// with Last-Event-ID and gets every remaining line exactly once.
const BUDGET = 256 * 1024;
const LINES = 12_000; // about 12 MiB of log
const REPO = encodeURIComponent('http://127.0.0.1:9/slow-client.git');
// Build names keep only the ref's first characters: refs that differ there.
const sha = (n: number) => n.toString(16).padEnd(40, 'a');

const lineEvent = (i: number) => ({
  phase: 'building',
  message: `line ${i} ${'x'.repeat(1000)}\n`,
});
const lineOf = (data: string) => Number(/"message":"line (\d+) /.exec(data)?.[1] ?? Number.NaN);

describe('a /build client that stops reading', () => {
  let h: Harness;
  const serverSockets: Socket[] = [];
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      config: {
        BuildQueue: {
          event_history: 1_000_000,
          event_history_max_bytes: 64 * 1024 * 1024,
          event_stream_max_buffer: BUDGET,
          event_stream_stall_timeout: 2,
        },
      },
    });
    h.api.server.on('connection', (s: Socket) => serverSockets.push(s));
  });
  afterAll(async () => {
    await h?.close();
  });

  const publishLines = async (buildName: string, from: number, to: number) => {
    for (let i = from; i < to; i += 200) {
      const batch = [];
      for (let k = i; k < Math.min(to, i + 200); k++) {
        batch.push(
          h.api.runtime.deps.bus.publish(buildName, lineEvent(k), { epochMs: 1, seq: k + 1 }),
        );
      }
      await Promise.all(batch);
    }
  };

  /** The build name of the job for `spec` (the stream says `waiting` just before enqueueing). */
  const buildNameOf = async (spec: string) => {
    for (let i = 0; i < 500; i++) {
      const jobs = await h.api.runtime.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting']);
      const job = jobs.find((j) => j.data.ref === spec);
      if (job) return job.data.buildName;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no job for ${spec}`);
  };

  /** Watches the server side of a client's connection: its largest writableLength. */
  const watchServerSide = (localPort: number) => {
    const socket = serverSockets.find((s) => s.remotePort === localPort);
    if (!socket) throw new Error('server socket not found');
    let max = 0;
    const timer = setInterval(() => (max = Math.max(max, socket.writableLength)), 2);
    return {
      socket,
      get max() {
        return max;
      },
      stop: () => clearInterval(timer),
    };
  };

  /** Resumes with Last-Event-ID (as EventSource would) and reads to the stream's end. */
  const resume = async (path: string, frames: RawFrame[], buildName: string) => {
    const lastId = [...frames].reverse().find((f) => f.id)?.id;
    const second: number[] = [];
    const done = readEventStream(`${h.url}${path}`, {
      headers: lastId ? { 'last-event-id': lastId } : {},
      signal: AbortSignal.timeout(60_000),
      onEvent: (e) => {
        if (e.phase === 'building') second.push(lineOf(JSON.stringify(e.data)));
      },
    });
    // Once it follows the build (a line arrived), the build may end: not before, or the
    // resumed request would find a finished build and start it afresh.
    await waitFor(() => second.length > 0, 20_000);
    await h.api.runtime.deps.bus.publish(buildName, { phase: 'failed', message: 'the end\n' });
    const { events } = await done;
    expect(events[events.length - 1]!.message).toBe('the end\n');
    return second;
  };

  const linesOf = (frames: RawFrame[]) =>
    frames.filter((f) => f.data.includes('"phase":"building"')).map((f) => lineOf(f.data));

  it('drops a live follower that stays behind; it resumes and gets every line once', async () => {
    const path = `build/git/${REPO}/${sha(1)}`;
    const client = await openRawSse(new URL(`${h.url}${path}`));
    expect(await waitFor(() => client.frames.length > 0, 10_000)).toBe(true);
    const buildName = await buildNameOf(sha(1));
    client.pause();
    const server = watchServerSide(client.socket.localPort!);
    await publishLines(buildName, 0, LINES);
    const dropped = await waitFor(() => server.socket.destroyed, 15_000);
    server.stop();
    expect(server.max, 'bytes buffered in the api for one client').toBeLessThanOrEqual(
      BUDGET + 80 * 1024,
    );
    expect(dropped, 'the slow client was dropped').toBe(true);
    client.resume();
    await client.closed;
    const first = linesOf(client.frames);
    expect(first.length).toBeLessThan(LINES);
    const second = await resume(path, client.frames, buildName);
    expect([...first, ...second]).toEqual(Array.from({ length: LINES }, (_, i) => i));
  }, 120_000);

  it('paces the replay of a long history to a late joiner that stops reading', async () => {
    const path = `build/git/${REPO}/${sha(2)}`;
    const opener = await openRawSse(new URL(`${h.url}${path}`));
    expect(await waitFor(() => opener.frames.length > 0, 10_000)).toBe(true);
    opener.destroy();
    const buildName = await buildNameOf(sha(2));
    await publishLines(buildName, 0, LINES);

    const client = await openRawSse(new URL(`${h.url}${path}`));
    client.pause();
    await waitFor(() => serverSockets.some((s) => s.remotePort === client.socket.localPort), 5000);
    const server = watchServerSide(client.socket.localPort!);
    const dropped = await waitFor(() => server.socket.destroyed, 15_000);
    server.stop();
    expect(server.max, 'bytes buffered in the api for one client').toBeLessThanOrEqual(
      BUDGET + 80 * 1024,
    );
    expect(dropped, 'the slow client was dropped').toBe(true);
    client.resume();
    await client.closed;
    const first = linesOf(client.frames);
    const second = await resume(path, client.frames, buildName);
    expect([...first, ...second]).toEqual(Array.from({ length: LINES }, (_, i) => i));
  }, 120_000);
});
