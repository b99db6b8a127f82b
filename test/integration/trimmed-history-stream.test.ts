import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyNames } from '../../queue/index.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { openRawSse, waitFor } from '../helpers/raw-sse-socket.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';

// A build whose log outgrew `BuildQueue.event_history_max_bytes`, through the real api and
// Redis: the history stays under the cap, and a late joiner gets a coherent stream (a
// notice that earlier lines were dropped, then the lines kept, in order).
const CAP = 64 * 1024;
const LINES = 2000; // ~440 KB
const REPO = encodeURIComponent('http://127.0.0.1:9/trimmed-history.git');
const REF = 'd'.repeat(40);

const lineNo = (e: ReceivedEvent) => Number(/^line (\d+) /.exec(e.message ?? '')?.[1]);

describe('a /build stream of a build whose history was trimmed', () => {
  let h: Harness;
  let buildName = '';
  beforeAll(async () => {
    h = await startHarness({
      runner: false,
      config: { BuildQueue: { event_history_max_bytes: CAP } },
    });
    const path = `${h.url}build/git/${REPO}/${REF}`;
    const opener = await openRawSse(new URL(path));
    await waitFor(() => opener.frames.length > 0, 10_000);
    for (let i = 0; i < 500 && !buildName; i++) {
      const jobs = await h.api.runtime.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting']);
      buildName = jobs.find((j) => j.data.ref === REF)?.data.buildName ?? '';
      if (!buildName) await new Promise((r) => setTimeout(r, 10));
    }
    opener.destroy();
    const bus = h.api.runtime.deps.bus;
    for (let i = 0; i < LINES; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, k) =>
          bus.publish(
            buildName,
            { phase: 'building', message: `line ${i + k} ${'x'.repeat(200)}\n` },
            { epochMs: 7, seq: i + k + 1 },
          ),
        ),
      );
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Reads the stream until line LINES-1 arrived, then hangs up. */
  const readTail = async (headers: Record<string, string> = {}) => {
    const abort = new AbortController();
    const events: ReceivedEvent[] = [];
    await readEventStream(`${h.url}build/git/${REPO}/${REF}`, {
      headers,
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout(20_000)]),
      onEvent: (e) => {
        events.push(e);
        if (lineNo(e) === LINES - 1) abort.abort();
      },
    }).catch(() => undefined);
    return events.filter((e) => e.message !== 'Waiting for build to start...\n');
  };

  it('keeps the history in Redis under the byte cap', async () => {
    const redis = h.api.runtime.deps.redis;
    const rows = await redis.xrange(
      keyNames(h.config.Redis.key_prefix).buildEvents(buildName),
      '-',
      '+',
    );
    const bytes = rows.reduce((n, [, f]) => n + Buffer.byteLength(f[1] ?? ''), 0);
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(rows.length).toBeLessThan(LINES);
  });

  it('gives a late joiner a notice, then the lines kept, in order', async () => {
    const [notice, ...lines] = await readTail();
    expect(notice!.phase).toBe('building');
    expect(notice!.message).toMatch(/earlier log lines of this build were dropped/);
    expect(notice!.id).toMatch(/^7-\d+$/);
    const nums = lines.map(lineNo);
    expect(nums.length).toBeGreaterThan(100);
    expect(nums).toEqual(nums.map((_, i) => LINES - nums.length + i));
    // The notice stands for the dropped lines: resuming from it gives the lines kept.
    const resumed = await readTail({ 'last-event-id': notice!.id! });
    expect(resumed.map(lineNo)).toEqual(nums);
  });
});
