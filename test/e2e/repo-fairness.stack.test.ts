import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoKey } from '../../queue/fairness/repo-key.js';
import { RepoSlots, waiterRank } from '../../queue/fairness/repo-slots.js';
import { keyNames } from '../../queue/index.js';
import { ImageUse } from '../../queue/registry-retention/image-use.js';
import type { BuildBackend } from '../../runners/build-backend.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream, type StreamResult } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// BuildQueue.per_repo_concurrency against the real stack: a runner with room for four
// builds, three commits of one repository and one of another, all asked for at once.

// A nonce per run: no layer of an earlier run's image is reused, each build really sleeps.
const nonce = randomUUID();
const dockerfile = (n: string) =>
  `FROM binderhub-ts/jupyter-base:1\nRUN echo "fairness ${n} ${nonce}" && sleep 4\n`;

interface Run {
  ref: string;
  start: number;
  end: number;
}

function overlaps(a: Run, b: Run): boolean {
  return a.start < b.end && b.start < a.end;
}

describe('per-repository build limit', () => {
  let h: Harness;
  let popular: ServedGitRepo;
  let other: ServedGitRepo;
  const runs: Run[] = [];
  const track = (b: BuildBackend): BuildBackend => ({
    ...b,
    run: async (req, emit, signal) => {
      const run: Run = { ref: req.job.ref, start: Date.now(), end: Infinity };
      runs.push(run);
      try {
        return await b.run(req, emit, signal);
      } finally {
        run.end = Date.now();
      }
    },
  });

  beforeAll(async () => {
    await requireStack();
    h = await startHarness({
      config: {
        Runner: { concurrency: 4 },
        BuildQueue: { per_repo_concurrency: 1, per_repo_recheck: 10 },
      },
      wrapBackend: track,
    });
    popular = await serveGitRepo({ Dockerfile: dockerfile('a1') });
    other = await serveGitRepo({ Dockerfile: dockerfile('b1') });
  }, 120_000);

  afterAll(async () => {
    await popular?.close();
    await other?.close();
    await h?.close();
  });

  const build = (repo: ServedGitRepo, ref: string): Promise<StreamResult> =>
    readEventStream(`${h.url}build/git/${encodeURIComponent(repo.url)}/${ref}?build_only=true`);

  it('runs one build of a repository at a time while another repository builds beside it', async () => {
    const a1 = popular.sha;
    const a2 = await popular.addCommit({ Dockerfile: dockerfile('a2') });
    const a3 = await popular.addCommit({ Dockerfile: dockerfile('a3') });
    const b1 = other.sha;
    const results = await Promise.all([
      build(popular, a1),
      build(popular, a2),
      build(popular, a3),
      build(other, b1),
    ]);
    for (const r of results) {
      const last = r.events[r.events.length - 1];
      expect(last?.phase, JSON.stringify(r.events.slice(-3))).toBe('ready');
    }
    const ofA = runs.filter((r) => [a1, a2, a3].includes(r.ref)).sort((x, y) => x.start - y.start);
    const ofB = runs.filter((r) => r.ref === b1);
    expect(ofA).toHaveLength(3);
    expect(ofB).toHaveLength(1);
    // Never two builds of the popular repository at once…
    for (let i = 1; i < ofA.length; i++) expect(overlaps(ofA[i - 1]!, ofA[i]!)).toBe(false);
    // …while the other repository's build ran beside the first of them.
    expect(ofA.some((a) => overlaps(a, ofB[0]!))).toBe(true);
    // The builds that waited said why, before any of their log lines.
    const waited = results
      .slice(0, 3)
      .filter((r) =>
        r.events.some(
          (e) => e.phase === 'waiting' && /Waiting for a build slot/.test(e.message ?? ''),
        ),
      );
    expect(waited.length).toBeGreaterThanOrEqual(2);
    for (const r of waited) {
      const notice = r.events.findIndex((e) => /Waiting for a build slot/.test(e.message ?? ''));
      const firstLog = r.events.findIndex((e) => e.phase === 'fetching' || e.phase === 'building');
      expect(notice).toBeLessThan(firstLog);
    }
    // Each pushed image was recorded for the registry cleaner.
    const images = results.map((r) => String(r.events[r.events.length - 1]!.data.imageName));
    const use = new ImageUse(h.api.runtime.deps.redis, keyNames(h.config.Redis.key_prefix));
    expect((await use.lastUsed(images)).size).toBe(4);
    // A waiting build is woken when the slot frees, not on its next recheck only.
    const gaps = ofA.slice(1).map((r, i) => r.start - ofA[i]!.end);
    expect(Math.max(...gaps), `gaps between builds: ${gaps.join(', ')} ms`).toBeLessThan(3000);
  }, 300_000);

  it('gives a dead runner’s slot back when its lease runs out', async () => {
    // A runner that died mid-build left its slot behind: nobody renews it any more.
    const keys = keyNames(h.config.Redis.key_prefix);
    const redis = h.api.runtime.deps.redis;
    const dead = new RepoSlots({ redis, keys, limit: 1, leaseMs: 4000, staleMs: 60_000 });
    const repo = repoKey({ provider: 'git', repoUrl: other.url });
    expect(await dead.acquire(repo, 'build-of-a-dead-runner', waiterRank(1, 0))).toEqual({
      granted: true,
    });
    const leftAt = Date.now();
    const ref = await other.addCommit({ Dockerfile: dockerfile('b2') });
    const r = await build(other, ref);
    expect(r.events.at(-1)?.phase).toBe('ready');
    expect(r.events.some((e) => /Waiting for a build slot: 1 build/.test(e.message ?? ''))).toBe(
      true,
    );
    const run = runs.find((x) => x.ref === ref)!;
    // Not before the lease ran out; then at the next recheck (per_repo_recheck 10 s).
    expect(run.start - leftAt).toBeGreaterThanOrEqual(4000);
    expect(run.start - leftAt).toBeLessThan(4000 + 10_000 + 3000);
    expect(await dead.running(repo)).toEqual([]);
  }, 120_000);
});
