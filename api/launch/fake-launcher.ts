import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  LaunchError,
  type LaunchHooks,
  type LaunchProgress,
  type LaunchRequest,
  type LaunchResult,
  type Launcher,
} from './launcher.js';
import { uniqueNameFromRepo } from './unique-name.js';

export interface FakeLauncherOptions {
  /** The hub's public URL the servers' URLs start with. */
  hubUrl: string;
  /** Progress messages of a launch, in order. */
  progress?: readonly string[];
  /** Milliseconds between two of them. */
  stepMs?: number;
  /** Launches of an image containing one of these strings fail (like a spawn that fails). */
  failImages?: readonly string[];
}

/**
 * A Launcher that starts nothing, for tests (DI only: nothing in the product creates it):
 * it answers as the JupyterHub launcher does — progress, then a server URL under the
 * hub for a user named after the repository, with a token — or fails with a LaunchError
 * for the images it was told to fail; an abort ends it. Every launch is kept in
 * `launches` for a test to count. Checked against JupyterHubLauncher on the real hub by
 * one contract suite (test/contracts/launcher.contract.ts).
 */
export class FakeLauncher implements Launcher {
  readonly launches: LaunchRequest[] = [];

  constructor(private readonly o: FakeLauncherOptions) {}

  async launch(
    req: LaunchRequest,
    onProgress: LaunchProgress,
    signal: AbortSignal,
    hooks?: LaunchHooks,
  ): Promise<LaunchResult> {
    signal.throwIfAborted();
    this.launches.push(req);
    const user = req.user ?? uniqueNameFromRepo(req.repoUrl);
    await hooks?.beforeCreate?.(user);
    for (const message of this.o.progress ?? ['Server requested', 'Server ready']) {
      onProgress(message);
      await sleep(this.o.stepMs ?? 0, undefined, { signal });
    }
    if ((this.o.failImages ?? []).some((m) => req.image.includes(m)))
      throw new LaunchError(`Failed to launch image ${req.image}: the server did not start (fake)`);
    return {
      url: `${this.o.hubUrl}user/${user}/`,
      token: randomBytes(16).toString('hex'),
      image: req.image,
      repo_url: req.repoUrl,
      binder_ref_url: req.refUrl,
      binder_launch_host: req.launchHost,
      binder_request: req.binderRequest,
      binder_persistent_request: req.binderPersistentRequest,
      binder_client_ip: req.clientIp,
      attempt: 0,
    };
  }
}
