import { parseBearerChallenge } from '../registry/www-authenticate.js';

export interface RegistryV2ClientOptions {
  /** The configured registry (`DockerRegistry.url`); the only host this client talks to. */
  url: string;
  username?: string;
  password?: string;
  /** `DockerRegistry.token_url`: a token endpoint allowed besides the registry's own host. */
  tokenUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The registry refused or failed a request; the message says which and why. */
export class RegistryApiError extends Error {
  override readonly name = 'RegistryApiError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface ManifestInfo {
  digest: string;
  /** The image's creation time from its config (ms), when the registry has it. */
  createdMs?: number;
}

/**
 * The parts of the Docker Registry HTTP API v2 the cleaner uses: the catalog, tags,
 * manifests (digest and creation time) and manifest deletion. Requests go only to the
 * configured registry: a token realm must be on its host or be `DockerRegistry.token_url`,
 * and redirects are not followed anywhere else (no request is steered off by an answer).
 */
export class RegistryV2Client {
  private readonly base: URL;
  private readonly fetchImpl: typeof fetch;
  private readonly tokens = new Map<string, string>();

  constructor(private readonly o: RegistryV2ClientOptions) {
    const url = /^https?:\/\//.test(o.url) ? o.url : `https://${o.url}`;
    this.base = new URL(url.replace(/\/+$/, '') + '/');
    this.fetchImpl = o.fetch ?? fetch;
  }

  /** Repository names in the registry (the catalog, every page). */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    let next: string | undefined = 'v2/_catalog?n=500';
    for (let pages = 0; next && pages < 1000; pages++) {
      const res = await this.request('GET', next, 'registry:catalog:*');
      const body = (await res.json()) as { repositories?: unknown };
      if (Array.isArray(body.repositories)) out.push(...body.repositories.map(String));
      next = this.nextPage(res.headers.get('link'));
    }
    return out;
  }

  async tags(repo: string): Promise<string[]> {
    const res = await this.request('GET', `v2/${repo}/tags/list`, `repository:${repo}:pull`, [404]);
    if (res.status === 404) return [];
    const body = (await res.json()) as { tags?: unknown };
    return Array.isArray(body.tags) ? body.tags.map(String) : [];
  }

  /** The tag's manifest digest and creation time; undefined when the tag is gone. */
  async manifest(repo: string, tag: string): Promise<ManifestInfo | undefined> {
    const scope = `repository:${repo}:pull`;
    const path = `v2/${repo}/manifests/${encodeURIComponent(tag)}`;
    const res = await this.request('GET', path, scope, [404]);
    if (res.status === 404) return undefined;
    const digest = res.headers.get('docker-content-digest');
    const body = (await res.json()) as {
      config?: { digest?: string };
      manifests?: Array<{ digest?: string }>;
    };
    if (!digest) throw new RegistryApiError(`no Docker-Content-Digest for ${repo}:${tag}`);
    let configDigest = body.config?.digest;
    const first = body.manifests?.[0]?.digest;
    if (!configDigest && first) {
      // An index: the first image's config stands for the whole.
      const inner = await this.request('GET', `v2/${repo}/manifests/${first}`, scope, [404]);
      if (inner.ok)
        configDigest = ((await inner.json()) as { config?: { digest?: string } }).config?.digest;
      else await inner.body?.cancel();
    }
    return { digest, createdMs: configDigest ? await this.created(repo, configDigest) : undefined };
  }

  /** Deletes a manifest by digest (every tag pointing at it). False when it was gone already. */
  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    const path = `v2/${repo}/manifests/${digest}`;
    const res = await this.request('DELETE', path, `repository:${repo}:delete`, [404, 405]);
    await res.body?.cancel();
    if (res.status === 405) {
      throw new RegistryApiError(
        'the registry refuses deletes (405): enable them (docker-registry: storage.delete.enabled: true)',
        405,
      );
    }
    return res.status !== 404;
  }

  private async created(repo: string, digest: string): Promise<number | undefined> {
    const res = await this.request(
      'GET',
      `v2/${repo}/blobs/${digest}`,
      `repository:${repo}:pull`,
      [404, 307, 302, 301, 303, 308],
    );
    if (!res.ok) {
      // A blob served from elsewhere (a storage redirect) is not fetched: age unknown.
      await res.body?.cancel();
      return undefined;
    }
    const body = (await res.json().catch(() => ({}))) as { created?: unknown };
    const ms = typeof body.created === 'string' ? Date.parse(body.created) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  }

  /** `Link: </v2/_catalog?last=x&n=500>; rel="next"` on the registry's own host only. */
  private nextPage(link: string | null): string | undefined {
    const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
    if (!m) return undefined;
    const url = new URL(m[1]!, this.base);
    if (url.origin !== this.base.origin) return undefined;
    return `${url.pathname.replace(/^\//, '')}${url.search}`;
  }

  private async request(
    method: string,
    path: string,
    scope: string,
    accept: number[] = [],
  ): Promise<Response> {
    const url = new URL(path, this.base);
    let res = await this.send(method, url, this.tokens.get(scope) ?? this.basic());
    if (res.status === 401) {
      const challenge = parseBearerChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel();
      if (challenge) {
        const { realm, ...params } = challenge;
        const token = await this.token(realm!, { ...params, scope: params.scope ?? scope });
        this.tokens.set(scope, `Bearer ${token}`);
        res = await this.send(method, url, `Bearer ${token}`);
      }
    }
    if (res.ok || accept.includes(res.status)) return res;
    await res.body?.cancel();
    throw new RegistryApiError(`registry answered ${res.status} to ${method} /${path}`, res.status);
  }

  private async send(
    method: string,
    url: URL,
    authorization: string | undefined,
  ): Promise<Response> {
    try {
      return await this.fetchImpl(url, {
        method,
        redirect: 'manual',
        headers: { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new RegistryApiError(`registry unreachable: ${(err as Error).message}`);
    }
  }

  private basic(): string | undefined {
    const { username, password } = this.o;
    return username
      ? `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`
      : undefined;
  }

  /** A token from the realm, which must be the registry's host or `DockerRegistry.token_url`'s. */
  private async token(realm: string, params: Record<string, string>): Promise<string> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryApiError(`the registry's token realm is not a URL`);
    }
    const allowed = [
      this.base.origin,
      ...(this.o.tokenUrl ? [new URL(this.o.tokenUrl).origin] : []),
    ];
    if (!allowed.includes(url.origin)) {
      throw new RegistryApiError(
        `the registry's token realm ${url.origin} is neither the registry nor DockerRegistry.token_url: not contacted`,
      );
    }
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await this.send('GET', url, this.basic());
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryApiError(
        `the registry's token endpoint answered ${res.status}`,
        res.status,
      );
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryApiError(`the registry's token endpoint returned no token`);
    return token;
  }
}
