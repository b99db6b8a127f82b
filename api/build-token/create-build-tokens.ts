import type { Config } from '../../queue/config/index.js';
import type { Logger } from '../../queue/index.js';
import { buildTokenKey } from './build-token-secret.js';
import { BuildTokens } from './build-tokens.js';

/**
 * BuildTokens from `BinderHub.build_token_*`; warns when the key is random (per process).
 * Made once by the composition root, so the launch page (which mints) and `/build` (which
 * checks) share the key even when it is random.
 */
export function createBuildTokens(config: Config, log: Logger): BuildTokens {
  const hub = config.BinderHub;
  const { key, random } = buildTokenKey(hub.build_token_secret);
  if (random) {
    log.warn(
      'BinderHub.build_token_secret is not set: build tokens are signed with a random key of this process and are refused by other api replicas',
    );
  }
  return new BuildTokens({
    key,
    expiresSeconds: hub.build_token_expires_seconds,
    checkOrigin: hub.build_token_check_origin,
  });
}
