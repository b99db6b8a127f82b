import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemLookup } from '../../queue/url-policy/check-repo-host.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { phaseSequence, readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';
import { gitHubApiStandIn } from './github-api-stand-in.js';
import { deliver, pushPayload } from './github-deliveries.js';

// Against the whole local stack: the git repository on a loopback git server, Redis, the
// runner with repo2docker on the Docker engine, the registry, JupyterHub. Only GitHub's
// REST API (used by the launch to resolve the ref) is a stand-in.
//
// The image is named from the GitHub slug and repo2docker clones https://github.com/<slug>,
// exactly as in production; git's `url.<local>.insteadOf` (in a temporary HOME, which the
// docker backend hands to repo2docker) sends that clone to the local git server, which the
// same (operator's) git config exempts from the build's one-host rule. github.com cannot
// be resolved here: the runner's URL policy is given an answer for it.

const SECRET = `e2e-${randomUUID()}`;
const DOCKERFILE = 'FROM binderhub-ts/jupyter-base:1\nRUN echo "pre-built on push"\n';

interface BuildsAnswer {
  builds: Array<{ trigger: string; sha: string; state: string; error?: string }>;
  pushes: Array<{ sha: string; outcome: string }>;
}

describe('Pre-build on push, against the local stack', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  let home: string;
  const originalHome = process.env.HOME;
  const slug = `prebuild-${randomUUID().slice(0, 8)}/hello-binder`;
  const github = gitHubApiStandIn();
  const launched: string[] = [];

  beforeAll(async () => {
    await requireStack();
    repo = await serveGitRepo({ Dockerfile: DOCKERFILE, 'README.md': '# pre-built\n' });
    home = await mkdtemp(join(tmpdir(), 'bhts-home-'));
    const include = originalHome ? `[include]\n\tpath = ${originalHome}/.gitconfig\n` : '';
    await writeFile(
      join(home, '.gitconfig'),
      `${include}[url "${repo.url}"]\n\tinsteadOf = https://github.com/${slug}\n` +
        `[http "${new URL(repo.url).origin}/"]\n\tproxy =\n[protocol "http"]\n\tallow = always\n`,
    );
    if (originalHome && existsSync(join(originalHome, '.docker'))) {
      await symlink(join(originalHome, '.docker'), join(home, '.docker'));
    }
    process.env.HOME = home;
    h = await startHarness({
      config: { GitHubWebhook: { secret: SECRET } },
      overrides: { providerFetch: github.fetch },
      runnerLookup: async (host) => (host === 'github.com' ? ['127.0.0.1'] : systemLookup(host)),
    });
  }, 120_000);

  afterAll(async () => {
    process.env.HOME = originalHome;
    for (const url of launched) await h.stopServer(url);
    await h?.close();
    await repo?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  async function builds(): Promise<BuildsAnswer> {
    const res = await fetch(`${h.url}api/builds?repo=${encodeURIComponent(slug)}`);
    expect(res.status).toBe(200);
    return (await res.json()) as BuildsAnswer;
  }

  async function untilBuilt(sha: string): Promise<BuildsAnswer> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const answer = await builds();
      const build = answer.builds.find((b) => b.sha === sha);
      if (build?.state === 'built' || build?.state === 'failed' || Date.now() > deadline)
        return answer;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('builds the pushed commit once; a launch of it then finds the image', async () => {
    const hook = `${h.url}hooks/github`;
    const payload = pushPayload({ repo: slug, sha: repo.sha, cloneUrl: repo.url });
    const first = await deliver(hook, { payload, secret: SECRET });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ outcome: 'accepted', sha: repo.sha });

    const answer = await untilBuilt(repo.sha);
    expect(answer.builds).toEqual([
      expect.objectContaining({ trigger: 'push', sha: repo.sha, state: 'built' }),
    ]);
    expect(answer.pushes).toEqual([expect.objectContaining({ sha: repo.sha, outcome: 'queued' })]);
    expect(h.buildRuns).toBe(1);

    // A redelivery builds nothing new.
    const again = await deliver(hook, { payload, secret: SECRET, deliveryId: first.deliveryId });
    expect(again.body).toMatchObject({ outcome: 'duplicate' });

    // The launch: `built` straight away, no build phases, no second build.
    github.setRef(slug, repo.sha, repo.sha);
    const { events } = await readEventStream(`${h.url}build/gh/${slug}/${repo.sha}`);
    const phases = phaseSequence(events);
    expect(events[0]).toMatchObject({
      phase: 'built',
      message: 'Found built image, launching...\n',
    });
    expect(phases).not.toContain('building');
    expect(phases).not.toContain('fetching');
    const ready = events[events.length - 1]!;
    expect(ready.phase).toBe('ready');
    launched.push(String(ready.data.url));
    expect(String(ready.data.image)).toContain(`:${repo.sha}`);
    expect(h.buildRuns).toBe(1);
  });

  it('a later push to an already built commit builds nothing', async () => {
    const r = await deliver(`${h.url}hooks/github`, {
      payload: pushPayload({ repo: slug, sha: repo.sha, ref: 'refs/heads/main' }),
      secret: SECRET,
    });
    expect(r.status).toBe(202);
    const deadline = Date.now() + 10_000;
    let answer = await builds();
    while (answer.pushes.length < 2 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      answer = await builds();
    }
    expect(answer.pushes[0]).toMatchObject({ sha: repo.sha, outcome: 'exists' });
    expect(h.buildRuns).toBe(1);
  });
});
