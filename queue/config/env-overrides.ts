/**
 * Environment variables that set configuration, as upstream reads them, plus the
 * generic form `BINDERHUB_TS__<Class>__<trait>=<value>` (value parsed as JSON when it
 * parses, else taken as a string).
 */
const NAMED: Record<string, [string, string]> = {
  JUPYTERHUB_API_TOKEN: ['BinderHub', 'hub_api_token'],
  BINDERHUB_BUILD_TOKEN_SECRET: ['BinderHub', 'build_token_secret'],
  GITHUB_ACCESS_TOKEN: ['GitHubRepoProvider', 'access_token'],
  GITHUB_CLIENT_ID: ['GitHubRepoProvider', 'client_id'],
  GITHUB_CLIENT_SECRET: ['GitHubRepoProvider', 'client_secret'],
  GITLAB_ACCESS_TOKEN: ['GitLabRepoProvider', 'access_token'],
  GITLAB_PRIVATE_TOKEN: ['GitLabRepoProvider', 'private_token'],
  BUILD_NAMESPACE: ['KubernetesBuildExecutor', 'namespace'],
  REDIS_URL: ['Redis', 'url'],
  JUPYTERHUB_CLIENT_ID: ['HubOAuth', 'oauth_client_id'],
  JUPYTERHUB_OAUTH_CALLBACK_URL: ['HubOAuth', 'oauth_redirect_uri'],
  JUPYTERHUB_ALLOW_NAMED_SERVERS: ['Launcher', 'allow_named_servers'],
  JUPYTERHUB_NAMED_SERVER_LIMIT_PER_USER: ['Launcher', 'named_server_limit_per_user'],
};

const GENERIC = /^BINDERHUB_TS__([A-Za-z]+)__([A-Za-z0-9_]+)$/;

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function envOverrides(env: NodeJS.ProcessEnv): Array<[string, string, unknown]> {
  const out: Array<[string, string, unknown]> = [];
  for (const [name, [cls, trait]] of Object.entries(NAMED)) {
    const v = env[name];
    if (v !== undefined && v !== '') out.push([cls, trait, v]);
  }
  for (const [name, v] of Object.entries(env)) {
    const m = GENERIC.exec(name);
    if (m && v !== undefined) out.push([m[1]!, m[2]!, parseValue(v)]);
  }
  return out;
}
