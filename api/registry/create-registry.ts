import type { Config } from '../../queue/config/index.js';
import { DockerRegistry } from './docker-registry.js';
import type { ImageRegistry } from './image-registry.js';
import { LocalEngineRegistry } from './local-engine-registry.js';
import { registryAccess } from './registry-access.js';

/** Where images are looked up: the registry (`DockerRegistry.*`), or the local engine when `use_registry` is off. */
export function createRegistry(
  config: Config,
  observe: (outcome: string, s: number) => void,
): ImageRegistry {
  if (!config.BinderHub.use_registry) {
    return new LocalEngineRegistry(config.DockerBuildExecutor.docker_host);
  }
  const r = config.DockerRegistry;
  const { url, username, password } = registryAccess(r);
  return new DockerRegistry({
    url,
    username,
    password,
    tokenUrl: r.token_url,
    notFound401: r.not_found_401 ?? url.endsWith('.docker.io'),
    timeoutMs: r.request_timeout * 1000,
    observe,
  });
}
