import { TtlCache } from '../providers/ttl-cache.js';
import { imageBasenameAndTag } from '../builds/image-name.js';
import { RegistryUnavailableError, type ImageRegistry } from './image-registry.js';
import { parseBearerChallenge } from './www-authenticate.js';

export interface DockerRegistryOptions {
  url: string;
  username?: string;
  password?: string;
  tokenUrl?: string;
  /** Treat 401 on a token-authenticated request as "absent" (Docker Hub's habit). */
  notFound401?: boolean;
  timeoutMs?: number;
  attempts?: number;
  fetch?: typeof fetch;
  observe?: (outcome: string, seconds: number) => void;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

class Transient extends Error {}

/**
 * Docker Registry HTTP API v2 client: manifest lookups with basic auth, a configured
 * token endpoint, or the WWW-Authenticate Bearer challenge. 404 means absent; 5xx,
 * timeouts and unexpected answers are retried and then reported as unavailable — never
 * as absent, so a registry outage cannot start a rebuild storm. Found images are cached
 * (tags name immutable builds).
 */
export class DockerRegistry implements ImageRegistry {
  private readonly found = new TtlCache<true>(10_000);
  private readonly tokens = new TtlCache<string>(1000, 50_000);
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: DockerRegistryOptions) {
    const url = opts.url || 'https://registry-1.docker.io';
    this.base = (/^https?:\/\//.test(url) ? url : `https://${url}`).replace(/\/+$/, '');
    this.fetchImpl = opts.fetch ?? fetch;
  }

  async hasImage(image: string, signal?: AbortSignal): Promise<boolean> {
    if (this.found.get(image)) return true;
    const { name, tag } = imageBasenameAndTag(image);
    const attempts = this.opts.attempts ?? 3;
    let last: Error | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (i - 1)));
      const started = performance.now();
      try {
        const present = await this.lookup(name, tag, signal);
        this.opts.observe?.(present ? 'found' : 'absent', (performance.now() - started) / 1000);
        if (present) this.found.set(image, true);
        return present;
      } catch (err) {
        this.opts.observe?.('error', (performance.now() - started) / 1000);
        if (signal?.aborted) throw err;
        if (!(err instanceof Transient)) throw err;
        last = err;
      }
    }
    throw new RegistryUnavailableError(last?.message ?? 'registry error');
  }

  private async lookup(name: string, tag: string, signal?: AbortSignal): Promise<boolean> {
    const url = `${this.base}/v2/${name}/manifests/${encodeURIComponent(tag)}`;
    const scope = `repository:${name}:pull`;
    let token = this.tokens.get(scope);
    if (!token && this.opts.tokenUrl) {
      // The token_url's own `service` wins; upstream's default otherwise.
      const service =
        new URL(this.opts.tokenUrl).searchParams.get('service') ?? 'container_registry';
      token = await this.fetchToken(this.opts.tokenUrl, { scope, service }, signal);
      this.tokens.set(scope, token);
    }
    let res = await this.get(url, token ? `Bearer ${token}` : this.basic(), signal);
    if (res.status === 401 && !token) {
      const challenge = parseBearerChallenge(res.headers.get('www-authenticate'));
      if (challenge) {
        const { realm, ...params } = challenge;
        token = await this.fetchToken(realm!, { ...params, scope: params.scope ?? scope }, signal);
        this.tokens.set(scope, token);
        res = await this.get(url, `Bearer ${token}`, signal);
      }
    }
    await res.body?.cancel();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    if (res.status === 401 && token && this.opts.notFound401) return false;
    if (res.status >= 500 || res.status === 429)
      throw new Transient(`registry answered ${res.status}`);
    throw new RegistryUnavailableError(`registry answered ${res.status} for ${name}:${tag}`);
  }

  private basic(): string | undefined {
    const { username, password } = this.opts;
    return username
      ? `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`
      : undefined;
  }

  private async get(
    url: string,
    authorization: string | undefined,
    signal?: AbortSignal,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 10_000);
    try {
      return await this.fetchImpl(url, {
        headers: { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new Transient(
        timeout.aborted ? 'registry timed out' : `registry unreachable: ${(err as Error).message}`,
      );
    }
  }

  private async fetchToken(
    realm: string,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<string> {
    const url = new URL(realm);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await this.get(url.toString(), this.basic(), signal);
    if (res.status >= 500) throw new Transient(`registry token endpoint answered ${res.status}`);
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryUnavailableError(
        `registry token endpoint refused the credentials (${res.status})`,
      );
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryUnavailableError('registry token endpoint returned no token');
    return token;
  }
}
