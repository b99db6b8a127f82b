import type { Config } from '../../queue/config/index.js';
import { dockerConfigPath, readDockerConfig } from './docker-config.js';

/** Where the registry is and how to log in to it. */
export interface RegistryAccess {
  /** `DockerRegistry.url`, else the config.json's registry; '' when neither names one. */
  url: string;
  username?: string;
  password?: string;
}

/**
 * The registry of `DockerRegistry.*`: explicit credentials win; else a Docker
 * config.json (the chart's push secret) gives the registry and its login.
 */
export function registryAccess(r: Config['DockerRegistry']): RegistryAccess {
  const fromFile = r.username
    ? undefined
    : readDockerConfig(dockerConfigPath(r.docker_config_path), {
        url: r.url,
        authConfigUrl: r.auth_config_url,
      });
  return {
    url: r.url || fromFile?.url || '',
    username: r.username || fromFile?.username,
    password: r.password || fromFile?.password,
  };
}
