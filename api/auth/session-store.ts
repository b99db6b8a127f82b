import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeyNames } from '../../queue/index.js';

/** A logged-in hub user: the hub's OAuth token of this login, and when it was last checked. */
export interface Session {
  /** The hub user's name. */
  user: string;
  /** The hub OAuth access token issued to this login (checked again every `cache_max_age`). */
  hubToken: string;
  /** Milliseconds since the epoch of the last check with the hub. */
  checkedAt: number;
}

/** A login under way: the OAuth `state` the hub must return, and where to go afterwards. */
export interface PendingLogin {
  state: string;
  next: string;
}

/** 32 random bytes, base64url: unguessable, so the id itself needs no signature. */
export const newId = () => randomBytes(32).toString('base64url');

const ID = /^[A-Za-z0-9_-]{43}$/;

function parse<T>(raw: string | null, check: (v: Record<string, unknown>) => boolean): T | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && check(v as Record<string, unknown>) ? (v as T) : null;
  } catch {
    return null;
  }
}

/**
 * Sessions and pending logins in Redis (shared by every api replica), under random ids
 * that the cookies carry; nothing read back is trusted before its shape is checked.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyNames,
    private readonly maxAgeSeconds: number,
  ) {}

  private sessionKey = (id: string) => this.keys.key('auth', 'session', id);
  private loginKey = (id: string) => this.keys.key('auth', 'login', id);

  async create(session: Session): Promise<string> {
    const id = newId();
    await this.redis.set(this.sessionKey(id), JSON.stringify(session), 'EX', this.maxAgeSeconds);
    return id;
  }

  async get(id: string | undefined): Promise<Session | null> {
    if (!id || !ID.test(id)) return null;
    return parse<Session>(
      await this.redis.get(this.sessionKey(id)),
      (v) =>
        typeof v.user === 'string' &&
        typeof v.hubToken === 'string' &&
        typeof v.checkedAt === 'number',
    );
  }

  /** Records a successful check with the hub (keeps the session's expiry). */
  async checked(id: string, session: Session): Promise<void> {
    await this.redis.set(this.sessionKey(id), JSON.stringify(session), 'KEEPTTL');
  }

  async delete(id: string | undefined): Promise<void> {
    if (id && ID.test(id)) await this.redis.del(this.sessionKey(id));
  }

  async beginLogin(login: PendingLogin, ttlSeconds: number): Promise<string> {
    const id = newId();
    await this.redis.set(this.loginKey(id), JSON.stringify(login), 'EX', ttlSeconds);
    return id;
  }

  /** The pending login of `id`, removed as it is read (a state is used once). */
  async takeLogin(id: string | undefined): Promise<PendingLogin | null> {
    if (!id || !ID.test(id)) return null;
    const raw = await this.redis.getdel(this.loginKey(id));
    return parse<PendingLogin>(
      raw,
      (v) => typeof v.state === 'string' && typeof v.next === 'string',
    );
  }
}
