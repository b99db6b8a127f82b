import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gitHttpBackend } from './stack.js';

// A STAND-IN for github.com / gitlab.com, which cannot be reached from here: on loopback
// it answers in their documented formats — GitHub's OAuth web flow (authorize redirect,
// `/login/oauth/access_token` with its HTTP-200 error answers such as
// `bad_refresh_token`, `expires_in` / `refresh_token` of GitHub App user tokens), REST
// (`/user`, `/repos/{o}/{r}`, `/repos/{o}/{r}/commits/{ref}`,
// `DELETE /applications/{client_id}/grant`), GitLab's (`/oauth/authorize`,
// `/oauth/token` with 400 `invalid_grant`, `/oauth/revoke`, `/api/v4/user`,
// `/api/v4/projects/:id`, `…/repository/commits/:ref`) — and serves real git
// repositories over smart HTTP (`git http-backend`) to basic auth with a valid token
// (`x-access-token:<token>` for GitHub, `oauth2:<token>` for GitLab). It is not GitHub.

const run = promisify(execFile);

export type SiteKind = 'github' | 'gitlab';

interface Grant {
  login: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

export interface StandInRepo {
  /** `owner/repo` (GitHub) or `group/project` (GitLab). */
  path: string;
  private: boolean;
  /** Logins whose tokens may read it (a public one: anyone). */
  readers: string[];
  /** The commit of its only branch, `main`. */
  sha: string;
}

export class GitSiteStandIn {
  readonly clientId = `client-${randomBytes(4).toString('hex')}`;
  readonly clientSecret = randomBytes(16).toString('hex');
  /** Who "logs in" at the next authorize request (the user the site would have asked). */
  nextLogin = 'alice';
  /** `expires_in` of new tokens (GitHub Apps: 28800), 0 = tokens that do not expire. */
  expiresIn = 28800;
  /** Every request, for assertions (method, path, authorization). */
  readonly requests: Array<{ method: string; path: string; auth?: string }> = [];
  private readonly codes = new Map<
    string,
    { login: string; challenge: string; redirect: string }
  >();
  private readonly grants: Grant[] = [];
  private readonly repos = new Map<string, StandInRepo>();
  private server!: http.Server;
  url = '';

  private constructor(
    readonly kind: SiteKind,
    private readonly root: string,
  ) {}

  static async start(kind: SiteKind): Promise<GitSiteStandIn> {
    const s = new GitSiteStandIn(kind, await mkdtemp(join(tmpdir(), `bhts-${kind}-stand-in-`)));
    s.server = http.createServer((req, res) => {
      s.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}/`;
    return s;
  }

  /** A repository with `files` committed on `main`, served at the site's git path. */
  async addRepo(
    path: string,
    files: Record<string, string>,
    o: { private: boolean; readers: string[] },
  ) {
    const work = await mkdtemp(join(tmpdir(), 'bhts-work-'));
    const g = (cwd: string, ...args: string[]) =>
      run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });
    await g(work, 'init', '-q', '--initial-branch=main');
    for (const [name, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, name)), { recursive: true });
      await writeFile(join(work, name), content);
    }
    await g(work, 'add', '--all');
    await g(work, 'commit', '-q', '--no-gpg-sign', '-m', 'initial');
    const bare = join(this.root, this.kind === 'github' ? path : `${path}.git`);
    await mkdir(dirname(bare), { recursive: true });
    await g(work, 'clone', '-q', '--bare', work, bare);
    const sha = (await g(work, 'rev-parse', 'HEAD')).stdout.trim();
    await rm(work, { recursive: true, force: true });
    const repo = { path, sha, ...o };
    this.repos.set(path.toLowerCase(), repo);
    return repo;
  }

  /** Makes every token of `login` invalid, as revoking the app's authorization does. */
  revokeAll(login: string): void {
    for (const g of this.grants.filter((x) => x.login === login))
      this.grants.splice(this.grants.indexOf(g), 1);
  }

  /** Ages every access token so that it expired `seconds` ago (refresh tokens stay valid). */
  expireTokens(seconds = 1): void {
    for (const g of this.grants) g.expiresAt = Date.now() - seconds * 1000;
  }

  liveTokens(): string[] {
    return this.grants.filter((g) => g.expiresAt > Date.now()).map((g) => g.accessToken);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    await rm(this.root, { recursive: true, force: true });
  }

  private loginOf(token: string | undefined): string | undefined {
    const g = this.grants.find((x) => x.accessToken === token && x.expiresAt > Date.now());
    return g?.login;
  }

  private readable(repo: StandInRepo | undefined, login: string | undefined): boolean {
    return !!repo && (!repo.private || (!!login && repo.readers.includes(login)));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const auth = req.headers.authorization;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      ...(auth ? { auth } : {}),
    });
    const body = await readBody(req);
    const p = url.pathname;
    const gh = this.kind === 'github';
    if (p === (gh ? '/login/oauth/authorize' : '/oauth/authorize')) return this.authorize(url, res);
    if (p === (gh ? '/login/oauth/access_token' : '/oauth/token'))
      return this.token(req, body, res);
    if (!gh && p === '/oauth/revoke') return this.revoke(body, res);
    const api = gh ? '/api/v3/' : '/api/v4/';
    if (p.startsWith(api)) return this.rest(req, p.slice(api.length), body, res);
    return this.git(req, res, p);
  }

  private authorize(url: URL, res: http.ServerResponse): void {
    const q = url.searchParams;
    const redirect = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== this.clientId || !redirect)
      return json(res, 404, { error: 'unknown client' });
    const code = randomBytes(10).toString('hex');
    this.codes.set(code, {
      login: this.nextLogin,
      challenge: q.get('code_challenge') ?? '',
      redirect,
    });
    const back = new URL(redirect);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    res.writeHead(302, { location: back.href }).end();
  }

  /** GitHub: errors as HTTP 200 `{error, error_description, error_uri}`; GitLab: 400/401 (RFC 6749). */
  private oauthError(res: http.ServerResponse, error: string, description: string): void {
    const status = this.kind === 'github' ? 200 : error === 'invalid_client' ? 401 : 400;
    json(res, status, {
      error,
      error_description: description,
      error_uri: 'https://docs.example/oauth',
    });
  }

  private token(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const f = (req.headers['content-type'] ?? '').includes('json')
      ? new URLSearchParams(JSON.parse(body) as Record<string, string>)
      : new URLSearchParams(body);
    if (f.get('client_id') !== this.clientId || f.get('client_secret') !== this.clientSecret) {
      const code = this.kind === 'github' ? 'incorrect_client_credentials' : 'invalid_client';
      return this.oauthError(res, code, 'The client_id and/or client_secret passed are incorrect.');
    }
    let login: string;
    if (f.get('grant_type') === 'refresh_token') {
      const i = this.grants.findIndex((g) => g.refreshToken === f.get('refresh_token'));
      const code = this.kind === 'github' ? 'bad_refresh_token' : 'invalid_grant';
      if (i < 0)
        return this.oauthError(res, code, 'The refresh token passed is incorrect or expired.');
      login = this.grants[i]!.login;
      this.grants.splice(i, 1); // single use, and the old access token goes with it
    } else {
      const c = this.codes.get(f.get('code') ?? '');
      this.codes.delete(f.get('code') ?? '');
      const code = this.kind === 'github' ? 'bad_verification_code' : 'invalid_grant';
      if (!c || c.redirect !== f.get('redirect_uri'))
        return this.oauthError(res, code, 'The code passed is incorrect or expired.');
      const verifier = f.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (c.challenge && challenge !== c.challenge)
        return this.oauthError(res, code, 'The code_verifier does not match the challenge.');
      login = c.login;
    }
    const prefix = this.kind === 'github' ? 'ghu_' : 'glo-';
    const grant: Grant = {
      login,
      accessToken: `${prefix}${randomBytes(18).toString('hex')}`,
      refreshToken: `${this.kind === 'github' ? 'ghr_' : 'glr-'}${randomBytes(24).toString('hex')}`,
      expiresAt: this.expiresIn ? Date.now() + this.expiresIn * 1000 : Number.MAX_SAFE_INTEGER,
    };
    this.grants.push(grant);
    json(res, 200, {
      access_token: grant.accessToken,
      token_type: this.kind === 'github' ? 'bearer' : 'Bearer',
      scope: this.kind === 'github' ? 'repo' : 'read_api read_repository',
      ...(this.expiresIn
        ? {
            expires_in: this.expiresIn,
            refresh_token: grant.refreshToken,
            refresh_token_expires_in: 15897600,
          }
        : {}),
      ...(this.kind === 'gitlab' ? { created_at: Math.floor(Date.now() / 1000) } : {}),
    });
  }

  private revoke(body: string, res: http.ServerResponse): void {
    const f = new URLSearchParams(body);
    if (f.get('client_id') !== this.clientId || f.get('client_secret') !== this.clientSecret)
      return json(res, 401, { error: 'invalid_client' });
    const t = f.get('token');
    const i = this.grants.findIndex((g) => g.accessToken === t || g.refreshToken === t);
    if (i >= 0) this.grants.splice(i, 1);
    json(res, 200, {});
  }

  private rest(
    req: http.IncomingMessage,
    path: string,
    body: string,
    res: http.ServerResponse,
  ): void {
    const bearer = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const login = this.loginOf(bearer);
    const gh = this.kind === 'github';
    const grant = /^applications\/([^/]+)\/grant$/.exec(path);
    if (gh && req.method === 'DELETE' && grant) {
      const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
      if (req.headers.authorization !== `Basic ${basic}` || grant[1] !== this.clientId)
        return json(res, 404, { message: 'Not Found' });
      const who = this.loginOf(
        (JSON.parse(body || '{}') as { access_token?: string }).access_token,
      );
      if (!who) return json(res, 422, { message: 'Validation Failed' });
      this.revokeAll(who);
      return void res.writeHead(204).end();
    }
    if (path === 'user') {
      if (!login) return json(res, 401, { message: 'Bad credentials' });
      return json(res, 200, gh ? { login, id: 1 } : { username: login, id: 1 });
    }
    const m = gh
      ? /^repos\/([^/]+\/[^/]+)(?:\/commits\/(.+))?$/.exec(path)
      : /^projects\/([^/]+)(?:\/repository\/commits\/(.+))?$/.exec(path);
    if (!m) return json(res, 404, { message: 'Not Found' });
    const repoPath = decodeURIComponent(m[1]!);
    const repo = this.repos.get(repoPath.toLowerCase());
    if (bearer && !login) return json(res, 401, { message: 'Bad credentials' });
    if (!this.readable(repo, login))
      return json(res, 404, { message: gh ? 'Not Found' : '404 Project Not Found' });
    const r = repo!;
    if (m[2] !== undefined) {
      const ref = decodeURIComponent(m[2]);
      if (!['HEAD', 'main', r.sha].includes(ref))
        return json(res, gh ? 422 : 404, { message: 'No commit found' });
      return json(res, 200, gh ? { sha: r.sha } : { id: r.sha });
    }
    return json(
      res,
      200,
      gh
        ? { full_name: r.path, private: r.private, visibility: r.private ? 'private' : 'public' }
        : { path_with_namespace: r.path, visibility: r.private ? 'private' : 'public' },
    );
  }

  private git(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    const m = /^\/(.+?)(\.git)?\/(info\/refs|git-upload-pack)$/.exec(path);
    const repo = m ? this.repos.get(m[1]!.toLowerCase()) : undefined;
    if (!m || !repo) return void res.writeHead(404).end();
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [user, token] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    const expectedUser = this.kind === 'github' ? 'x-access-token' : 'oauth2';
    const login = user === expectedUser ? this.loginOf(token) : undefined;
    if (!this.readable(repo, login)) {
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="stand-in"' }).end();
    }
    gitHttpBackend(this.root, req, res);
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  // git-upload-pack's body is piped into git http-backend, not read here.
  if ((req.url ?? '').includes('git-upload-pack')) return '';
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
