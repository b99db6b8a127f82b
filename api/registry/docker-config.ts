import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface RegistryCredentials {
  url: string;
  username: string;
  password: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
}

function withScheme(url: string): string {
  if (url === 'https://index.docker.io/v1/') return 'https://registry-1.docker.io';
  return /^https?:\/\//.test(url) ? url : `https://${url}`;
}

/**
 * Registry URL and credentials from a Docker `config.json` (upstream reads
 * `$DOCKER_CONFIG/config.json`, the push secret the chart mounts): `url` defaults to the
 * first `auths` entry; the credentials are the entry matching `authConfigUrl`, the url,
 * or the url's host. Undefined when there is no such file.
 */
export function readDockerConfig(
  path: string,
  wanted: { url: string; authConfigUrl: string },
): RegistryCredentials | undefined {
  if (!existsSync(path)) return undefined;
  const config = JSON.parse(readFileSync(path, 'utf8')) as DockerConfigFile;
  const auths = config.auths ?? {};
  const keys = Object.keys(auths);
  const url = wanted.url || (keys[0] ? withScheme(keys[0]) : '');
  const host = url ? new URL(withScheme(url)).host : '';
  const dockerHub = host === 'registry-1.docker.io' ? 'https://index.docker.io/v1/' : '';
  const key = [wanted.authConfigUrl, url, host, dockerHub].find((k) => k && auths[k]);
  const entry = key ? auths[key] : undefined;
  let username = entry?.username ?? '';
  let password = entry?.password ?? '';
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  return { url, username, password };
}

/** `DockerRegistry.docker_config_path`, else `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(configured: string, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) return configured;
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}
