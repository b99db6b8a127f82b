import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJobData } from '../../api/dashboard/job-data-formatter.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream } from '../helpers/sse-client.js';

// A repository URL with `user:token@` in it must not come back out of the api: not in
// `/api/builds`, not in `/metrics` labels, not in the dashboard's job data, not in a
// `failed` message. (Image and build names are derived elsewhere and not checked here.)
const TOKEN = 'tok-6e0f1c9a77';
const repoUrl = `http://someone:${TOKEN}@127.0.0.1:9/leak/repo.git`;
const sha = () => randomBytes(20).toString('hex');
const buildPath = (ref: string) => `build/git/${encodeURIComponent(repoUrl)}/${ref}`;

/** Opens a /build stream until its first event, then hangs up. */
async function firstEvent(url: string): Promise<string | undefined> {
  const ac = new AbortController();
  let phase: string | undefined;
  await readEventStream(url, {
    signal: ac.signal,
    onEvent: (e) => {
      phase ??= e.phase;
      ac.abort();
    },
  }).catch(() => undefined);
  return phase;
}

describe('credentials in repository URLs', () => {
  let h: Harness;
  let quota: Harness;
  beforeAll(async () => {
    h = await startHarness({ runner: false });
    // Maintenance mode: every launch is refused by the quota, counted in launch_count{repo}.
    quota = await startHarness({ runner: false, config: { LaunchQuota: { total_quota: 0 } } });
  });
  afterAll(async () => {
    await h?.close();
    await quota?.close();
  });

  it('/api/builds shows the spec and error of a build without the token', async () => {
    const queued = sha();
    expect(await firstEvent(`${h.url}${buildPath(queued)}`)).toBe('waiting');
    const failing = sha();
    expect(await firstEvent(`${h.url}${buildPath(failing)}`)).toBe('waiting');
    // A stand-in runner fails that build with git's message, which names the URL.
    const connection = new Redis(h.config.Redis.url, { maxRetriesPerRequest: null });
    const worker = new Worker(
      h.config.BuildQueue.name,
      async (job) => {
        if (job.data.ref === failing) throw new Error(`fatal: unable to access '${repoUrl}/'`);
        await new Promise((r) => setTimeout(r, 60_000));
      },
      { connection, prefix: h.config.Redis.key_prefix, concurrency: 2 },
    );
    try {
      const query = encodeURIComponent('http://127.0.0.1:9/leak/repo');
      let body = '';
      for (let i = 0; i < 100 && !body.includes('"failed"'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = await (await fetch(`${h.url}api/builds?repo=${query}`)).text();
      }
      const builds = (JSON.parse(body) as { builds: Array<Record<string, string>> }).builds;
      expect(builds.map((b) => b.sha).sort()).toEqual([queued, failing].sort());
      for (const b of builds) {
        expect(b.spec).not.toContain(TOKEN);
        expect(b.spec).toContain('someone%3A[secret]%40127.0.0.1');
      }
      const failed = builds.find((b) => b.sha === failing)!;
      expect(failed.error).toBe(
        "fatal: unable to access 'http://someone:[secret]@127.0.0.1:9/leak/repo.git/'",
      );
      // The dashboard shows the same job data scrubbed.
      const job = await h.api.runtime.deps.buildQueue.bullmq.getJob(failed.buildName!);
      expect(JSON.stringify(formatJobData(job!.data))).not.toContain(TOKEN);
    } finally {
      await worker.close(true);
      connection.disconnect();
    }
  });

  it('/metrics labels launch_count{repo} without the token; the failed message has none', async () => {
    const { events } = await readEventStream(`${quota.url}${buildPath(sha())}`);
    expect(events.at(-1)).toMatchObject({ phase: 'failed', data: { status_code: 429 } });
    const text = await (await fetch(`${quota.url}metrics`)).text();
    expect(text).toContain('binderhub_launch_count{');
    expect(text).not.toContain(TOKEN);
    // the repository URL never carries the credentials (they travel scoped to the host)
    expect(text).toContain('repo="http://127.0.0.1:9/leak/repo.git"');
  });

  it('a failed message that names the spec does not repeat the token', async () => {
    const { events } = await readEventStream(
      `${h.url}build/git/${encodeURIComponent(repoUrl)}/main`,
    );
    expect(events.at(-1)?.phase).toBe('failed');
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });
});
