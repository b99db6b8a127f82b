import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { addSubmodules } from '../helpers/git-fixtures.js';
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, type ServedGitRepo } from '../helpers/stack.js';

// The SSRF guard on, through the real api and the real runner (repo2docker on the Docker
// engine): only the test's own git servers are allowed. `trap` is a loopback listener that
// is NOT allowed: every test checks that nothing ever connected to it.

const DOCKERFILE = 'FROM binderhub-ts/jupyter-base:1\n';
const SHA = '0123456789abcdef0123456789abcdef01234567';

function last(events: ReceivedEvent[]): ReceivedEvent {
  return events[events.length - 1]!;
}

describe('the repository URL guard (api and runner)', () => {
  let h: Harness;
  let trap: RecordingServer;
  let redirector: RecordingServer;
  let notFound: RecordingServer;
  let repo: ServedGitRepo;
  let withForeignSubmodule: ServedGitRepo;
  let foreignSubmoduleSha: string;
  let withOwnSubmodule: ServedGitRepo;
  let ownSubmoduleSha: string;

  const build = (url: string, ref = 'HEAD') =>
    readEventStream(`${h.url}build/git/${encodeURIComponent(url)}/${ref}?build_only=true`, {
      signal: AbortSignal.timeout(300_000),
    });

  beforeAll(async () => {
    await requireStack();
    trap = await startRecordingServer();
    repo = await serveGitRepo({ Dockerfile: DOCKERFILE });
    // An allowed server that answers every request with a redirect to the trap.
    redirector = await startRecordingServer((req, res) => {
      res.writeHead(302, { location: `${trap.origin}${req.url ?? '/'}` });
      res.end();
    });
    // An allowed server with nothing on it: it shows who asked it what.
    notFound = await startRecordingServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    withForeignSubmodule = await serveGitRepo({ Dockerfile: DOCKERFILE });
    foreignSubmoduleSha = await addSubmodules(withForeignSubmodule, [
      { path: 'foreign', url: `${trap.origin}/sub.git`, sha: withForeignSubmodule.sha },
    ]);
    withOwnSubmodule = await serveGitRepo({ Dockerfile: DOCKERFILE, 'README.md': 'own\n' });
    ownSubmoduleSha = await addSubmodules(withOwnSubmodule, [
      { path: 'own', url: withOwnSubmodule.url, sha: withOwnSubmodule.sha },
    ]);
    const allowed = [repo, withForeignSubmodule, withOwnSubmodule].map((r) => new URL(r.url).host);
    h = await startHarness({
      config: {
        GitRepoProvider: {
          allowed_private_hosts: [
            ...allowed,
            `127.0.0.1:${redirector.port}`,
            `127.0.0.1:${notFound.port}`,
          ],
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    for (const r of [repo, withForeignSubmodule, withOwnSubmodule]) await r?.close();
    await redirector?.close();
    await notFound?.close();
    await trap?.close();
  });

  it('refuses the backslash trick with a clear message, connecting nowhere', async () => {
    const { events } = await build(`http://8.8.8.8\\@127.0.0.1:${trap.port}/x.git`);
    expect(events).toHaveLength(1);
    expect(last(events).phase).toBe('failed');
    expect(last(events).message).toMatch(/"\\" is not allowed in a repository URL/);
    expect(trap.connections).toBe(0);
  });

  it.each([
    ['the backslash trick', (port: number) => `http://8.8.8.8\\@127.0.0.1:${port}/x.git`],
    ['a loopback port that is not allowed', (port: number) => `http://127.0.0.1:${port}/x.git`],
    ['the metadata address', () => 'http://169.254.169.254/latest/x.git'],
    ['a host name for loopback', (port: number) => `http://localhost:${port}/x.git`],
  ])('refuses %s with a 40-hex ref too: nothing is queued', async (_name, url) => {
    const { events } = await build(url(trap.port), SHA);
    expect(events).toHaveLength(1);
    expect(last(events).phase).toBe('failed');
    expect(last(events).message).toMatch(
      /is not allowed in a repository URL|private or local addresses are not allowed/,
    );
    expect(await h.api.runtime.deps.buildQueue.bullmq.count()).toBe(0);
    expect(trap.connections).toBe(0);
  });

  it('does not follow a redirect from an allowed server (api: ls-remote)', async () => {
    const { events } = await build(`${redirector.origin}/repo.git`);
    expect(last(events).phase).toBe('failed');
    expect(last(events).message).toMatch(/returned error: 302/);
    expect(redirector.requests.length).toBeGreaterThan(0);
    expect(trap.connections).toBe(0);
  });

  it('does not follow a redirect from an allowed server (runner: the clone)', async () => {
    const { events } = await build(`${redirector.origin}/repo.git`, SHA);
    expect(last(events).phase).toBe('failed');
    expect(events.map((e) => e.message).join('')).toMatch(/returned error: 302/);
    expect(h.buildRuns).toBeGreaterThan(0);
    expect(redirector.requests.some((r) => r.url.includes('info/refs'))).toBe(true);
    expect(trap.connections).toBe(0);
  });

  it('fetches no submodule from a host other than the repository’s', async () => {
    const { events } = await build(withForeignSubmodule.url, foreignSubmoduleSha);
    expect(last(events).phase).toBe('failed');
    expect(events.map((e) => e.message).join('')).toMatch(
      /foreign.*\n.*only-the-repository-host-is-allowed/,
    );
    expect(trap.connections).toBe(0);
  });

  // repo2docker's other content providers fetch outside git (and its pinning): CKAN asks
  // `<host>/api/3/action/status_show` for any URL with "/dataset/" in it, Mercurial runs
  // `hg identify` for URLs not ending in ".git". Only git may fetch.
  it('lets only git fetch: no CKAN or Mercurial probe of the repository host', async () => {
    const { events } = await build(`${notFound.origin}/group/dataset/project`, SHA);
    expect(last(events).phase).toBe('failed');
    const asked = notFound.requests.map((r) => r.url);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((u) => !u.includes('/info/refs?service=git-upload-pack'))).toEqual([]);
  });

  it('fetches a submodule from the repository’s own host', async () => {
    const { events } = await build(withOwnSubmodule.url, ownSubmoduleSha);
    expect(last(events).phase, JSON.stringify(last(events).data)).toBe('ready');
  });

  it('builds from the allowed server with the guard on', async () => {
    const { events } = await build(repo.url);
    expect(last(events).phase, JSON.stringify(last(events).data)).toBe('ready');
    expect(trap.connections).toBe(0);
  });
});
