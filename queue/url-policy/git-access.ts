import { isIP } from 'node:net';
import type { CheckedRepoUrl } from './check-repo-host.js';
import { bareHostname } from './default-port.js';
import { CREDENTIAL_HELPER, CREDENTIALS_ENV, CREDENTIALS_HOST_ENV } from './credential-helper.js';

/** How git may reach one checked repository, and nothing else. */
export interface GitAccess {
  /** The URL to give git: no credentials in it; for git:// and ssh:// the pinned address as host. */
  cloneUrl: string;
  /** git settings (`-c key=value`, or GIT_CONFIG_COUNT/KEY/VALUE for child processes). */
  config: ReadonlyArray<readonly [string, string]>;
  /** The host-scoped credentials for the helper, if any. */
  credentialEnv: Readonly<Record<string, string>>;
}

// A proxy that cannot resolve: git (curl) refuses every http(s) host but the repository's
// with "Could not resolve proxy: only-the-repository-host-is-allowed.invalid".
const NO_OTHER_HOSTS = 'http://only-the-repository-host-is-allowed.invalid:1';

function addressInUrl(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

function cloneUrlFor(t: CheckedRepoUrl): string {
  const u = t.url;
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    return `${u.protocol}//${u.host}${u.pathname}${u.search}`;
  }
  // git:// and ssh:// resolve outside curl: give git the checked address itself.
  const user = u.username ? `${u.username}@` : '';
  const port = u.port ? `:${u.port}` : '';
  return `${u.protocol}//${user}${addressInUrl(t.address)}${port}${u.pathname}${u.search}`;
}

function httpPinning(t: CheckedRepoUrl, origin: string): Array<[string, string]> {
  const pins: Array<[string, string]> = [
    ['http.proxy', NO_OTHER_HOSTS],
    [`http.${origin}/.proxy`, ''],
  ];
  const host = bareHostname(t.url);
  if (isIP(host) === 0) {
    pins.push(['http.curloptResolve', `${host}:${t.port}:${addressInUrl(t.address)}`]);
  }
  return pins;
}

/**
 * The git settings that hold one build (or ls-remote) to the checked repository:
 * connections to the host go to the address that was checked (no second DNS answer);
 * redirects are not followed; submodules come only from the same scheme, host and port
 * over http(s), and never over git:// or ssh:// (`protocol.<scheme>.allow=user`: git
 * refuses them for submodules); credentials are offered to that host only.
 */
export function gitAccess(target: CheckedRepoUrl, credentials?: string): GitAccess {
  const { url } = target;
  const scheme = url.protocol.replace(/:$/, '');
  const http = scheme === 'http' || scheme === 'https';
  const origin = `${url.protocol}//${url.host}`;
  const config: Array<[string, string]> = [
    ['http.followRedirects', 'false'],
    ['protocol.allow', 'never'],
    [`protocol.${scheme}.allow`, http ? 'always' : 'user'],
    ...(http ? httpPinning(target, origin) : []),
    // An empty value drops every helper configured before (the build image's `env` helper).
    ['credential.helper', ''],
  ];
  const credentialEnv: Record<string, string> = {};
  if (credentials && http) {
    config.push([`credential.${origin}.helper`, CREDENTIAL_HELPER]);
    credentialEnv[CREDENTIALS_ENV] = credentials;
    credentialEnv[CREDENTIALS_HOST_ENV] = url.host;
  }
  return { cloneUrl: cloneUrlFor(target), config, credentialEnv };
}

/** `-c key=value` arguments for a git command. */
export function gitConfigArgs(access: GitAccess): string[] {
  return access.config.flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

/** The environment of a process that runs git (repo2docker): the settings and credentials. */
export function gitEnv(access: GitAccess): Record<string, string> {
  const env: Record<string, string> = {
    GIT_CONFIG_COUNT: String(access.config.length),
    GIT_TERMINAL_PROMPT: '0',
    ...access.credentialEnv,
  };
  access.config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}
