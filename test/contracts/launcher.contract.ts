/**
 * What every Launcher promises the api, run against JupyterHubLauncher on the stack's
 * JupyterHub (jupyterhub-launcher.stack.test.ts) and FakeLauncher (fake-launcher.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { LaunchError, type LaunchRequest, type Launcher } from '../../api/launch/launcher.js';

export interface LauncherUnderTest {
  launcher: Launcher;
  hubUrl: string;
  /** An image that starts, and one whose server does not. */
  goodImage: string;
  badImage: string;
  /** Stops what a launch started (the hub user and server). */
  stop(url: string): Promise<void>;
}

const request = (image: string): LaunchRequest => ({
  image,
  repoUrl: 'http://127.0.0.1/contract/launcher.git',
  refUrl: 'http://127.0.0.1/contract/launcher.git',
  launchHost: 'http://127.0.0.1:8585/',
  binderRequest: 'v2/git/contract/HEAD',
  binderPersistentRequest: 'v2/git/contract/0123456789ab',
  clientIp: '127.0.0.1',
});

export function launcherContract(label: string, start: () => Promise<LauncherUnderTest>) {
  describe(`Launcher contract: ${label}`, () => {
    it('launches: progress, then a server under the hub for a user named after the repository, with a token', async () => {
      const t = await start();
      const progress: string[] = [];
      const names: string[] = [];
      const r = await t.launcher.launch(
        request(t.goodImage),
        (m) => progress.push(m),
        new AbortController().signal,
        { beforeCreate: async (name) => void names.push(name) },
      );
      try {
        expect(r.url.startsWith(`${t.hubUrl}user/contract-launcher-`)).toBe(true);
        expect(r.url.endsWith('/')).toBe(true);
        expect(names.length).toBeGreaterThan(0);
        expect(r.url).toContain(`/user/${names.at(-1)}/`);
        expect(r.token.length).toBeGreaterThan(0);
        expect(r).toMatchObject({
          image: t.goodImage,
          repo_url: 'http://127.0.0.1/contract/launcher.git',
          binder_request: 'v2/git/contract/HEAD',
          binder_persistent_request: 'v2/git/contract/0123456789ab',
          binder_client_ip: '127.0.0.1',
          attempt: 0,
        });
        expect(progress.length).toBeGreaterThan(0);
      } finally {
        await t.stop(r.url);
      }
    }, 180_000);

    it('a server that does not start: a LaunchError naming the image', async () => {
      const t = await start();
      const err = await t.launcher
        .launch(request(t.badImage), () => undefined, new AbortController().signal)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LaunchError);
      expect((err as LaunchError).message).toContain(t.badImage);
    });

    it('an aborted launch rejects', async () => {
      const t = await start();
      const ac = new AbortController();
      ac.abort(new Error('client gone'));
      await expect(
        t.launcher.launch(request(t.goodImage), () => undefined, ac.signal),
      ).rejects.toThrow();
    });
  });
}
