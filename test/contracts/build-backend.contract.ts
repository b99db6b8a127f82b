/**
 * What every BuildBackend promises the runner, run against the real Docker backend
 * (docker-build-backend.stack.test.ts) and the fake one (fake-build-backend.test.ts), so
 * the fake cannot drift from the real thing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../queue/config/index.js';
import { isTerminalBuildEvent, type BuildEvent, type BuildJob } from '../../queue/index.js';
import { contentAccessFor } from '../../queue/repo-specs/content-access.js';
import { repoSpecFor } from '../../queue/repo-specs/repo-spec-for.js';
import type { BuildBackend, BuildRequest } from '../../runners/build-backend.js';
import { BuildFailedError } from '../../runners/build-failed-error.js';

/** A build the backend under test makes succeed, fail, or run long enough to cancel. */
export type BuildKind = 'succeeds' | 'fails' | 'slow';

export interface BackendUnderTest {
  backend: BuildBackend;
  /** A git repository (URL and commit) whose build ends as `kind` says. */
  repo(kind: BuildKind): Promise<{ url: string; sha: string }>;
  /** Where the images go (the test image's name is made from it). */
  imagePrefix: string;
  close(): Promise<void>;
}

async function request(t: BackendUnderTest, kind: BuildKind, push: boolean): Promise<BuildRequest> {
  const { url, sha } = await t.repo(kind);
  const id = randomUUID().slice(0, 8);
  const job: BuildJob = {
    buildName: `build-contract-${id}-${sha.slice(0, 8)}`,
    image: `${t.imagePrefix}contract-${id}:${sha}`,
    provider: 'git',
    providerName: 'Git',
    spec: `${encodeURIComponent(url)}/HEAD`,
    resolvedSpec: `${encodeURIComponent(url)}/${sha}`,
    repoUrl: url,
    ref: sha,
    trigger: 'launch',
    requestedAt: Date.now(),
  };
  const config = parseConfig({ GitRepoProvider: { allowed_private_hosts: ['127.0.0.1'] } });
  const content = await contentAccessFor(config, repoSpecFor(config, job.provider, job.spec)!, sha);
  return { job, content, push, appendix: '', extraArgs: [] };
}

function recorder() {
  const events: BuildEvent[] = [];
  const positions: Array<number | undefined> = [];
  const epochs: Array<number | undefined> = [];
  return {
    events,
    positions,
    epochs,
    emit: async (e: BuildEvent, position?: number, epochMs?: number) => {
      events.push(e);
      positions.push(position);
      epochs.push(epochMs);
    },
  };
}

const never = () => new AbortController().signal;

export function buildBackendContract(label: string, start: () => Promise<BackendUnderTest>) {
  describe(`BuildBackend contract: ${label}`, () => {
    let t: BackendUnderTest;
    beforeAll(async () => {
      t = await start();
    });
    afterAll(() => t?.close());

    it('names itself and reports builder_info as strings', async () => {
      expect(t.backend.name).toMatch(/^[a-z]+$/);
      const info = await t.backend.builderInfo();
      expect(Object.keys(info).length).toBeGreaterThan(0);
      for (const v of Object.values(info)) expect(typeof v).toBe('string');
    });

    it('a build that succeeds: resolves, its lines at increasing positions of one epoch, no terminal event', async () => {
      const req = await request(t, 'succeeds', true);
      const rec = recorder();
      await t.backend.run(req, rec.emit, never());
      expect(rec.events.length).toBeGreaterThan(0);
      expect(rec.events.some((e) => e.phase === 'building')).toBe(true);
      expect(rec.events.filter(isTerminalBuildEvent)).toEqual([]);
      for (const e of rec.events) expect(typeof e.message).toBe('string');
      const positions = rec.positions.map((p) => p ?? -1);
      expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]!))).toBe(true);
      expect(new Set(rec.epochs).size).toBe(1);
    });

    it('a build that fails: rejects with a BuildFailedError (reason error) that says why', async () => {
      const req = await request(t, 'fails', false);
      const rec = recorder();
      const err = await t.backend.run(req, rec.emit, never()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildFailedError);
      expect((err as BuildFailedError).reason).toBe('error');
      expect((err as BuildFailedError).message.length).toBeGreaterThan(0);
    });

    it('a second job on a running build attaches to it: both end together, one run', async () => {
      const req = await request(t, 'succeeds', false);
      const a = recorder();
      const b = recorder();
      await Promise.all([t.backend.run(req, a.emit, never()), t.backend.run(req, b.emit, never())]);
      const lines = (r: typeof a) => r.events.filter((e) => e.phase === 'building').length;
      expect(lines(a) + lines(b)).toBeGreaterThan(0);
    });

    it('cancel: a running build ends at once as cancelled, with the reason as its message', async () => {
      const req = await request(t, 'slow', false);
      const cancel = new AbortController();
      const rec = recorder();
      const run = t.backend.run({ ...req, cancel: cancel.signal }, rec.emit, never());
      run.catch(() => undefined);
      const deadline = Date.now() + 120_000;
      while (rec.events.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      cancel.abort('cancelled by the contract test');
      const started = Date.now();
      const err = await run.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildFailedError);
      expect((err as BuildFailedError).reason).toBe('cancelled');
      expect((err as BuildFailedError).message).toContain('cancelled by the contract test');
      expect(Date.now() - started).toBeLessThan(30_000);
    });
  });
}
