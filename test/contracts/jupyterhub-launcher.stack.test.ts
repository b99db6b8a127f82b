import { HubClient } from '../../api/launch/hub-client.js';
import { JupyterHubLauncher } from '../../api/launch/jupyterhub-launcher.js';
import { UserCleanup } from '../../api/launch/user-cleanup.js';
import { createLogger } from '../../queue/index.js';
import { removeHubUsers } from '../helpers/hub-users.js';
import { requireStack } from '../helpers/stack.js';
import { launcherContract } from './launcher.contract.js';

// The launcher contract against JupyterHubLauncher on the stack's JupyterHub: a real
// server from the base image; an image the registry does not have does not start.
launcherContract('JupyterHubLauncher (the stack’s JupyterHub)', async () => {
  const s = await requireStack();
  const hub = new HubClient({
    apiUrl: s.hubApiUrl,
    token: s.hubApiToken,
    attempts: 3,
    retryDelayMs: 200,
  });
  const log = createLogger({ level: 'silent' });
  const launcher = new JupyterHubLauncher({
    hub,
    hubUrl: s.hubUrl,
    retries: 1,
    retryDelayMs: 200,
    launchTimeoutMs: 120_000,
    log,
    cleanup: new UserCleanup({ hub, log, giveUpAfterMs: 120_000 }),
  });
  return {
    launcher,
    hubUrl: s.hubUrl,
    goodImage: s.baseImageInRegistry,
    badImage: `${s.imagePrefix}contract-absent:0000000000000000`,
    async stop(url) {
      const user = /\/user\/([^/]+)\//.exec(url)?.[1];
      if (user) await removeHubUsers([user]);
    },
  };
});
