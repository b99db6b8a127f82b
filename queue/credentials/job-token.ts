import { z } from 'zod';
import type { Config } from '../config/index.js';
import { parseEncryptionKey, SealedBox, SealedBoxError } from './sealed-box.js';

/** The git hosting sites whose users connect their own accounts. */
export const CREDENTIAL_PROVIDERS = ['github', 'gitlab'] as const;
export type CredentialProvider = (typeof CREDENTIAL_PROVIDERS)[number];

/** The provider prefix (`gh`, `gl`) whose repositories a provider's tokens read. */
export const PREFIX_OF: Record<CredentialProvider, string> = { github: 'gh', gitlab: 'gl' };

/** A user's token as a build job carries it (sealed): for which site, until when. */
export interface JobToken {
  provider: CredentialProvider;
  token: string;
  /** ms since epoch after which the sealed value is refused (the job is stale). */
  notAfter: number;
}

const jobTokenSchema = z.object({
  provider: z.enum(CREDENTIAL_PROVIDERS),
  token: z.string().regex(/^[\x21-\x7e]{1,1024}$/, 'must be printable ASCII without spaces'),
  notAfter: z.number().int(),
});

/** The job fields a sealed token is bound to: it opens only in the job of that build. */
export interface TokenBinding {
  buildName: string;
  repoUrl: string;
}

const PURPOSE = 'build job user token';
const context = (b: TokenBinding) => `${b.buildName}\n${b.repoUrl}`;

/** A sealed job token that cannot be used: not this key's, another job's, stale, malformed. */
export class JobTokenError extends Error {
  override readonly name = 'JobTokenError';
}

/**
 * Seals and opens the user token a build job carries (`BuildJob.userToken`), with the
 * key api and runners share (`UserCredentials.encryption_key`), bound to the job's build
 * name and repository URL: the job in Redis, the dashboard and logs only ever hold the
 * sealed value, and a sealed value copied into another job does not open.
 */
export class JobTokenSeal {
  private readonly box: SealedBox;

  constructor(key: Buffer) {
    this.box = new SealedBox(key, PURPOSE);
  }

  /** From the configuration; undefined when no valid key is configured. */
  static fromConfig(config: Pick<Config, 'UserCredentials'>): JobTokenSeal | undefined {
    const key = parseEncryptionKey(config.UserCredentials.encryption_key);
    return key ? new JobTokenSeal(key) : undefined;
  }

  seal(binding: TokenBinding, token: JobToken): string {
    return this.box.seal(JSON.stringify(jobTokenSchema.parse(token)), context(binding));
  }

  open(binding: TokenBinding, sealed: string, now = Date.now()): JobToken {
    let plain: string;
    try {
      plain = this.box.open(sealed, context(binding));
    } catch (err) {
      if (err instanceof SealedBoxError)
        throw new JobTokenError(`the job's user token does not open: ${err.message}`);
      throw err;
    }
    const parsed = jobTokenSchema.safeParse(JSON.parse(plain) as unknown);
    if (!parsed.success) throw new JobTokenError("the job's user token is malformed");
    if (parsed.data.notAfter < now) throw new JobTokenError("the job's user token is stale");
    return parsed.data;
  }
}
