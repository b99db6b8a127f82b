import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { SessionStore } from '../../api/auth/session-store.js';
import { keyNames } from '../../queue/index.js';
import { startHarness, type Harness } from './binder-harness.js';
import { GitSiteStandIn } from './git-site-stand-in.js';

/**
 * An api (and a docker-backend runner unless `runner: false`) in auth mode with users'
 * own credentials, against GitHub and GitLab STAND-INS on loopback (git-site-stand-in.ts:
 * the real sites cannot be reached here). Hub logins are planted as sessions in Redis
 * (the hub login itself is tested in test/ui/auth-launch.test.ts).
 */
export interface CredentialsRig {
  h: Harness;
  github: GitSiteStandIn;
  gitlab: GitSiteStandIn;
  encryptionKey: string;
  /** The cookie header of a logged-in hub user. */
  login(user: string): Promise<string>;
  /** GET on the api, redirects not followed. */
  get(path: string, cookie: string, headers?: Record<string, string>): Promise<Response>;
  /** Connects `user`'s account at `site` as `siteLogin` (the whole OAuth round trip). */
  connect(cookie: string, site: GitSiteStandIn, siteLogin: string): Promise<Response>;
  close(): Promise<void>;
}

export const cookiePair = (res: Response, name: string): string => {
  const c = res.headers.getSetCookie().find((v) => v.startsWith(`${name}=`));
  return c ? c.split(';')[0]! : '';
};

export async function startCredentialsRig(
  o: { runner?: boolean; logs?: string[] } = {},
): Promise<CredentialsRig> {
  const github = await GitSiteStandIn.start('github');
  const gitlab = await GitSiteStandIn.start('gitlab');
  const encryptionKey = randomBytes(32).toString('hex');
  const logs = o.logs;
  const h = await startHarness({
    runner: o.runner ?? true,
    ...(logs
      ? {
          logDestination: new Writable({
            write(chunk: Buffer, _enc, done) {
              logs.push(chunk.toString());
              done();
            },
          }),
        }
      : {}),
    config: {
      BinderHub: { auth_enabled: true, ...(logs ? { log_level: 'debug' as const } : {}) },
      GitHubRepoProvider: { base_url: github.url, api_base_path: `${github.url}api/v3` },
      GitLabRepoProvider: { base_url: gitlab.url },
      GitHubOAuth: { client_id: github.clientId, client_secret: github.clientSecret },
      GitLabOAuth: { client_id: gitlab.clientId, client_secret: gitlab.clientSecret },
      UserCredentials: { encryption_key: encryptionKey },
    },
  });
  const sessions = new SessionStore(
    h.api.runtime.deps.redis,
    keyNames(h.config.Redis.key_prefix),
    3600,
  );
  const get = (path: string, cookie: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, h.url), { redirect: 'manual', headers: { cookie, ...headers } });
  return {
    h,
    github,
    gitlab,
    encryptionKey,
    async login(user) {
      const id = await sessions.create({ user, hubToken: 'planted', checkedAt: Date.now() });
      return `binderhub-session=${id}`;
    },
    get,
    async connect(cookie, site, siteLogin) {
      const start = await get(`auth/connect/${site.kind}`, cookie);
      const state = cookiePair(start, 'binderhub-session-connect');
      site.nextLogin = siteLogin;
      const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
      return get(authorize.headers.get('location')!, `${cookie}; ${state}`);
    },
    async close() {
      await h.close();
      await github.close();
      await gitlab.close();
    },
  };
}
