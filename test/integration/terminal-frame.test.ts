import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { openRawSse, waitFor } from '../helpers/raw-sse-socket.js';

// The terminal event (`failed`, `ready`) leaves in a write of its own, after the log lines
// before it left: a client reading the socket gets it in a separate network read, even
// when the build's last lines and its end arrive at the api together (issue 19: a client
// that gets both in one read shows a second `failed`). Real api and Redis, raw socket.
const REPO = encodeURIComponent('http://127.0.0.1:9/terminal-frame.git');
const RUNS = 40;
const LINES = 30;

describe('the terminal event of a /build stream', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ runner: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The build name of the job for `ref` (the stream says `waiting` just before enqueueing). */
  const buildNameOf = async (ref: string) => {
    for (let i = 0; i < 500; i++) {
      const jobs = await h.api.runtime.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting']);
      const job = jobs.find((j) => j.data.ref === ref);
      if (job) return job.data.buildName;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no job for ${ref}`);
  };

  /** One stream whose build logs LINES lines and ends at once; the reads the client saw. */
  const oneRun = async (run: number) => {
    const ref = (1000 + run).toString(16).padEnd(40, 'b');
    const buildOnly = run % 2 === 0;
    const url = new URL(`${h.url}build/git/${REPO}/${ref}${buildOnly ? '?build_only=true' : ''}`);
    const client = await openRawSse(url);
    expect(await waitFor(() => client.frames.length > 0, 10_000)).toBe(true);
    const buildName = await buildNameOf(ref);
    const bus = h.api.runtime.deps.bus;
    // Published back to back (pipelined): they reach the api in one burst.
    const published = Array.from({ length: LINES }, (_, i) =>
      bus.publish(buildName, { phase: 'building', message: `line ${i}\n` }),
    );
    published.push(
      bus.publish(
        buildName,
        buildOnly
          ? { phase: 'built', imageName: 'x', message: 'Built image, launching...\n' }
          : { phase: 'failed', message: 'the build failed\n' },
      ),
    );
    await Promise.all(published);
    await client.closed;
    return { reads: client.reads, terminal: buildOnly ? 'ready' : 'failed' };
  };

  it(`arrives in a network read of its own (${RUNS} runs, failed and ready)`, async () => {
    const shared: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const { reads, terminal } = await oneRun(run);
      const marker = `"phase":"${terminal}"`;
      const at = reads.findIndex((r) => r.includes(marker));
      expect(at, `run ${run}: ${terminal} received`).toBeGreaterThan(0);
      expect(reads.join('').match(/"phase":"building"/g)?.length, `run ${run}`).toBe(LINES);
      const others = reads[at]!.replace(/data: \{[^\n]*"phase":"(failed|ready)"[^\n]*/, '');
      if (/data: /.test(others)) shared.push(run);
    }
    expect(shared, 'runs whose terminal event shared a read with other frames').toEqual([]);
  }, 120_000);
});
