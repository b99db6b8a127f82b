import type { Redis } from 'ioredis';
import type { CredentialProvider } from '../../queue/credentials/job-token.js';
import { SealedBox, SealedBoxError } from '../../queue/credentials/sealed-box.js';
import type { KeyNames } from '../../queue/index.js';
import { storedTokenSchema, type StoredToken } from './stored-token.js';

/** A login under way at a site: the OAuth `state`, the PKCE verifier, for whom. */
export interface PendingConnect {
  user: string;
  provider: CredentialProvider;
  state: string;
  verifier: string;
}

/**
 * Each hub user's site tokens in Redis, sealed at rest (AES-256-GCM with a key derived
 * from `UserCredentials.encryption_key`, bound to the user and the site: a value copied
 * to another user's key does not open). A value that does not open is treated as absent.
 */
export class TokenStore {
  private readonly box: SealedBox;

  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyNames,
    key: Buffer,
  ) {
    this.box = new SealedBox(key, 'user tokens at rest');
  }

  private tokenKey = (user: string, p: CredentialProvider) =>
    this.keys.key('credentials', 'token', p, encodeURIComponent(user));
  private pendingKey = (id: string) => this.keys.key('credentials', 'connect', id);
  private context = (user: string, p: CredentialProvider) => `${p}\n${user}`;

  async get(user: string, provider: CredentialProvider): Promise<StoredToken | undefined> {
    const raw = await this.redis.get(this.tokenKey(user, provider));
    if (!raw) return undefined;
    try {
      const parsed = storedTokenSchema.safeParse(
        JSON.parse(this.box.open(raw, this.context(user, provider))),
      );
      return parsed.success ? parsed.data : undefined;
    } catch (err) {
      if (err instanceof SealedBoxError || err instanceof SyntaxError) return undefined;
      throw err;
    }
  }

  async put(user: string, provider: CredentialProvider, token: StoredToken): Promise<void> {
    const sealed = this.box.seal(JSON.stringify(token), this.context(user, provider));
    await this.redis.set(this.tokenKey(user, provider), sealed);
  }

  async delete(user: string, provider: CredentialProvider): Promise<void> {
    await this.redis.del(this.tokenKey(user, provider));
  }

  /** One refresh at a time per (user, site): GitHub's refresh tokens are single use. */
  async lockRefresh(user: string, provider: CredentialProvider, ms: number): Promise<boolean> {
    const key = this.keys.key('credentials', 'refreshing', provider, encodeURIComponent(user));
    return (await this.redis.set(key, '1', 'PX', ms, 'NX')) === 'OK';
  }

  async unlockRefresh(user: string, provider: CredentialProvider): Promise<void> {
    await this.redis.del(
      this.keys.key('credentials', 'refreshing', provider, encodeURIComponent(user)),
    );
  }

  /** Keeps a pending connect (sealed: it holds the PKCE verifier) for `ttlSeconds`. */
  async beginConnect(id: string, pending: PendingConnect, ttlSeconds: number): Promise<void> {
    const sealed = this.box.seal(JSON.stringify(pending), `connect\n${id}`);
    await this.redis.set(this.pendingKey(id), sealed, 'EX', ttlSeconds);
  }

  /** The pending connect of `id`, removed as it is read (a state is used once). */
  async takeConnect(id: string): Promise<PendingConnect | undefined> {
    const raw = await this.redis.getdel(this.pendingKey(id));
    if (!raw) return undefined;
    try {
      const v = JSON.parse(this.box.open(raw, `connect\n${id}`)) as PendingConnect;
      return typeof v.state === 'string' && typeof v.verifier === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }
}
