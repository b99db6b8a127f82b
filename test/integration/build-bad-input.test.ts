import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { readEventStream } from '../helpers/sse-client.js';

// The api against real Redis, with no runner: every bad request must end in exactly one
// `failed` event with a message, enqueue nothing and execute nothing.
const CANARY = '/tmp/bhts-pwned-canary';

describe('/build refuses bad input with one failed event', () => {
  let h: Harness;
  beforeAll(async () => {
    rmSync(CANARY, { force: true });
    h = await startHarness({
      runner: false,
      config: {
        GitHubRepoProvider: { banned_specs: ['^banned-org/'] },
        GitRepoProvider: { allowed_private_hosts: [] },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const cases: Array<[string, string, RegExp]> = [
    ['unknown provider', 'nope/org/repo/HEAD', /^No provider found for prefix nope\n$/],
    ['gh without a ref', 'gh/org/repo', /Did you mean "org\/repo\/HEAD"\?/],
    ['gh with one part', 'gh/org', /Spec is not of the form "user\/repo\/ref"/],
    ['gh with a bad name', 'gh/org/re%20po/HEAD', /Invalid GitHub repository/],
    ['gh ref starting with -', 'gh/org/repo/--upload-pack=touch', /cannot start with "-"/],
    [
      'gh banned',
      'gh/banned-org/repo/HEAD',
      /^Sorry, banned-org\/repo\/HEAD is not allowed to launch/,
    ],
    ['gist malformed', 'gist/someone', /user\/gist_id/],
    ['gl without a ref', 'gl/group%2Fproject', /An unresolved ref is required/],
    [
      'git without a ref',
      `git/${encodeURIComponent('https://example.com/r.git')}`,
      /unresolved_ref/,
    ],
    [
      'git --upload-pack as URL',
      `git/${encodeURIComponent(`--upload-pack=touch ${CANARY}`)}/HEAD`,
      /cannot start with "-"/,
    ],
    [
      'git ext:: transport',
      `git/${encodeURIComponent(`ext::sh -c touch% ${CANARY}`)}/HEAD`,
      /Unsupported git url|Invalid git url/,
    ],
    [
      'git file:// URL',
      `git/${encodeURIComponent('file:///etc')}/HEAD`,
      /Unsupported git url file:\/\/\/etc, protocol file/,
    ],
    [
      'git ref starting with -',
      `git/${encodeURIComponent('https://example.com/r.git')}/${encodeURIComponent(`--upload-pack=touch ${CANARY}`)}`,
      /cannot start with "-"/,
    ],
    [
      'git loopback host (SSRF guard on)',
      `git/${encodeURIComponent('http://127.0.0.1:9/r.git')}/HEAD`,
      /private or local addresses are not allowed/,
    ],
    [
      'git link-local host (SSRF guard on)',
      `git/${encodeURIComponent('http://169.254.169.254/latest')}/HEAD`,
      /private or local addresses are not allowed/,
    ],
    ['malformed percent-encoding', 'git/%E0%A4%A/HEAD', /not correctly percent-encoded/],
  ];

  it.each(cases)('%s', async (_name, path, expected) => {
    const { status, events } = await readEventStream(`${h.url}build/${path}`);
    expect(status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]!.phase).toBe('failed');
    expect(events[0]!.message).toMatch(expected);
    expect(events[0]!.id).toMatch(/^done-/);
    expect(existsSync(CANARY)).toBe(false);
    expect(await h.api.runtime.deps.buildQueue.bullmq.count()).toBe(0);
  });

  it('requires Accept: text/event-stream (status_code 400), and accepts it among other types', async () => {
    const missing = await readEventStream(`${h.url}build/gh/org/repo`, {
      headers: { accept: 'text/html' },
    });
    expect(missing.events.map((e) => e.data)).toEqual([
      { phase: 'failed', status_code: 400, message: 'Missing Accept header: text/event-stream\n' },
    ]);
    const listed = await readEventStream(`${h.url}build/gh/org/repo`, {
      headers: { accept: 'text/html, text/event-stream;q=0.9' },
    });
    expect(listed.events[0]!.message).toMatch(/Did you mean/);
  });

  it('refuses build_only unless API-only mode is on', async () => {
    const other = await startHarness({
      runner: false,
      config: { BinderHub: { enable_api_only_mode: false } },
    });
    try {
      const { events } = await readEventStream(
        `${other.url}build/gh/org/repo/HEAD?build_only=true`,
      );
      expect(events).toHaveLength(1);
      expect(events[0]!.data.status_code).toBe(400);
      expect(events[0]!.message).toMatch(/enable_api_only_mode/);
    } finally {
      await other.close();
    }
  });

  it('reports an unreachable registry as a failure, never as a reason to build', async () => {
    const other = await startHarness({
      runner: false,
      config: {
        DockerRegistry: { url: 'http://127.0.0.1:9', request_timeout: 1 },
        GitRepoProvider: { allowed_private_hosts: ['127.0.0.1:9'] },
      },
    });
    try {
      const sha = '0123456789abcdef0123456789abcdef01234567';
      const { events } = await readEventStream(
        `${other.url}build/git/${encodeURIComponent('http://127.0.0.1:9/r.git')}/${sha}`,
      );
      expect(events).toHaveLength(1);
      expect(events[0]!.data.status_code).toBe(503);
      expect(events[0]!.message).toMatch(/image registry is not answering/);
      expect(await other.api.runtime.deps.buildQueue.bullmq.count()).toBe(0);
    } finally {
      await other.close();
    }
  });
});
