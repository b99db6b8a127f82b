import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { freePort } from '../helpers/cli-process.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// A full 40-hex ref that is not in the repository used to be queued as it is, and the
// build failed at `git reset`. It is now looked up (cheaply: the server is asked for
// that one commit and the answer is cut short) before anything is queued — against a
// plain `git http-backend` and a plain `git daemon`.

const MISSING = '0123456789abcdef0123456789abcdef01234567';

/** `git daemon` serving the bare repository next to `repo`'s working copy. */
async function gitDaemon(repo: ServedGitRepo): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const base = `${dirname(repo.dir)}/served`;
  const child = spawn(
    'git',
    [
      'daemon',
      '--reuseaddr',
      '--export-all',
      `--base-path=${base}`,
      `--port=${port}`,
      '--listen=127.0.0.1',
      base,
    ],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 500));
  return { url: `git://127.0.0.1:${port}/repo.git`, child };
}

describe('a 40-hex ref that is not in the repository', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  let daemon: { url: string; child: ChildProcess };
  let older = '';
  beforeAll(async () => {
    await requireStack();
    h = await startHarness({ runner: false });
    repo = await serveGitRepo({ Dockerfile: 'FROM scratch\n' });
    older = repo.sha;
    await repo.addCommit({ README: 'newer\n' });
    daemon = await gitDaemon(repo);
  });
  afterAll(async () => {
    daemon?.child.kill();
    await repo?.close();
    await h?.close();
  });

  const jobs = () =>
    h.api.runtime.deps.buildQueue.bullmq.getJobs(['prioritized', 'waiting', 'active']);
  const build = async (url: string, ref: string) => {
    const res = await readEventStream(
      `${h.url}build/git/${encodeURIComponent(url)}/${ref}?build_only=true`,
      {
        signal: AbortSignal.timeout(20_000),
        onEvent: () => undefined,
      },
    );
    return res.events.at(-1)!;
  };

  for (const server of ['git http-backend', 'git daemon'] as const) {
    it(`is refused before queueing (${server}); an existing older commit is queued`, async () => {
      const url = server === 'git daemon' ? daemon.url : repo.url;
      const refused = await build(url, MISSING);
      expect(refused.phase).toBe('failed');
      expect(refused.data.status_code).toBe(404);
      expect(refused.message).toMatch(/^Could not resolve ref for git:/);
      expect(await jobs()).toHaveLength(0);

      // A commit that exists (not the branch tip) goes on to the queue.
      const abort = new AbortController();
      const queued = readEventStream(
        `${h.url}build/git/${encodeURIComponent(url)}/${older}?build_only=true`,
        {
          signal: abort.signal,
        },
      ).catch(() => undefined);
      for (let i = 0; i < 100 && (await jobs()).length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      const [job] = await jobs();
      expect(job?.data.ref).toBe(older);
      abort.abort();
      await queued;
      await job!.remove();
    });
  }

  it('is refused before queueing on GitHub (its commits API answers 422)', async () => {
    // GitHub cannot be reached from here: its documented answers, replayed.
    const asked: string[] = [];
    const github = (async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      asked.push(url);
      const body = { message: `No commit found for SHA: ${MISSING}`, status: '422' };
      return new Response(JSON.stringify(body), {
        status: 422,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    const gh = await startHarness({ runner: false, overrides: { providerFetch: github } });
    try {
      const res = await readEventStream(`${gh.url}build/gh/org/repo/${MISSING}?build_only=true`);
      const last = res.events.at(-1)!;
      expect(last.phase).toBe('failed');
      expect(last.data.status_code).toBe(404);
      expect(asked.some((u) => u.endsWith(`/repos/org/repo/commits/${MISSING}`))).toBe(true);
      expect(await gh.api.runtime.deps.buildQueue.bullmq.count()).toBe(0);
    } finally {
      await gh.close();
    }
  });
});
