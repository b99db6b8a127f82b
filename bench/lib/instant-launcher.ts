import type { LaunchRequest, LaunchResult, Launcher } from '../../api/launch/launcher.js';

/**
 * A Launcher that answers at once, as if JupyterHub had started the server in 0 ms: the
 * hub's own spawn is excluded by definition of the "orchestration overhead" target.
 */
export class InstantLauncher implements Launcher {
  calls = 0;

  launch(req: LaunchRequest): Promise<LaunchResult> {
    this.calls++;
    return Promise.resolve({
      url: `http://127.0.0.1:8000/user/bench-${this.calls}/`,
      token: 'bench',
      image: req.image,
      repo_url: req.repoUrl,
      binder_ref_url: req.refUrl,
      binder_launch_host: req.launchHost,
      binder_request: req.binderRequest,
      binder_persistent_request: req.binderPersistentRequest,
      binder_client_ip: req.clientIp,
      attempt: 0,
    });
  }
}
