import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pyQuote } from '../../queue/repo-specs/spec-parts.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { freePort, listening } from '../helpers/cli-process.js';
import { phaseSequence, readEventStream } from '../helpers/sse-client.js';
import { requireStack } from '../helpers/stack.js';

// `scripts/stack/demo.sh` against the real api and runner (docker backend, repo2docker,
// registry, JupyterHub): a `git daemon` on loopback, a push whose post-receive hook calls
// POST /api/prebuilds with curl, exactly one pre-build, then a launch with no build.

const DEMO = fileURLToPath(new URL('../../scripts/stack/demo.sh', import.meta.url));
const TOKEN = `demo-${randomUUID()}`;

function run(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [DEMO],
      { env: { ...process.env, ...env }, timeout: 600_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, output: stdout + stderr });
      },
    );
  });
}

describe('the pre-build demo: a git push pre-builds through POST /api/prebuilds', () => {
  let h: Harness;
  let dir: string;
  let daemon: ChildProcess;
  let gitUrl: string;
  const launched: string[] = [];

  beforeAll(async () => {
    await requireStack();
    dir = await mkdtemp(join(tmpdir(), 'bhts-demo-'));
    await mkdir(join(dir, 'git'));
    await writeFile(join(dir, 'token'), TOKEN);
    const port = await freePort();
    gitUrl = `git://127.0.0.1:${port}`;
    daemon = spawn(
      'git',
      [
        'daemon',
        '--reuseaddr',
        '--listen=127.0.0.1',
        `--port=${port}`,
        `--base-path=${join(dir, 'git')}`,
        '--export-all',
        '--enable=receive-pack',
        join(dir, 'git'),
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 50 && !(await listening(port)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    h = await startHarness({ config: { PrebuildApi: { token: TOKEN } } });
  }, 120_000);

  afterAll(async () => {
    for (const url of launched) await h.stopServer(url);
    await h?.close();
    daemon?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('one push, one pre-build, and the printed link launches with no build', async () => {
    const demo = await run({
      BINDER_URL: h.url,
      TOKEN_FILE: join(dir, 'token'),
      GIT_ROOT: join(dir, 'git'),
      GIT_URL: gitUrl,
      WORK_DIR: join(dir, 'work'),
    });
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toMatch(/"status":202,.*"outcome":"queued"/);
    const spec = `${pyQuote(`${gitUrl}/demo.git`)}/main`;
    expect(demo.output).toContain(`Binder link (launches with no build): ${h.url}v2/git/${spec}`);
    expect(h.buildRuns).toBe(1);

    const res = await fetch(`${h.url}api/builds?repo=${encodeURIComponent(`${gitUrl}/demo.git`)}`);
    const { builds } = (await res.json()) as { builds: Array<Record<string, unknown>> };
    expect(builds).toEqual([expect.objectContaining({ trigger: 'push', state: 'built' })]);

    const { events } = await readEventStream(`${h.url}build/git/${spec}`);
    expect(events[0]).toMatchObject({
      phase: 'built',
      message: 'Found built image, launching...\n',
    });
    expect(phaseSequence(events)).not.toContain('building');
    const ready = events.at(-1)!;
    expect(ready.phase, JSON.stringify(ready.data)).toBe('ready');
    launched.push(String(ready.data.url));
    expect(h.buildRuns).toBe(1);
  }, 600_000);
});
