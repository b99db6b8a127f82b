import { SignJWT, jwtVerify } from 'jose';
import { trimTrailingSlashes } from '../http/trim-slashes.js';

/** A build token failed verification; `/build` answers 403 "Invalid build token". */
export class InvalidBuildTokenError extends Error {
  override readonly name = 'InvalidBuildTokenError';
}

export interface BuildTokenOptions {
  key: Uint8Array;
  /** `BinderHub.build_token_expires_seconds`. */
  expiresSeconds: number;
  /** `BinderHub.build_token_check_origin`. */
  checkOrigin: boolean;
  /** Seconds since the epoch (tests move the clock). */
  now?: () => number;
}

/**
 * The audience of a build token: `<provider>/<raw spec>` (upstream's `provider_spec`).
 * Trailing `/` of the spec are dropped on both sides (minting and checking), so
 * `/v2/gh/a/b/HEAD/` and `/build/gh/a/b/HEAD` agree.
 */
export function buildTokenAudience(provider: string, rawSpec: string): string {
  return `${provider}/${trimTrailingSlashes(rawSpec)}`;
}

/**
 * Build tokens as upstream mints them on the launch page and checks them on `/build`:
 * JWT HS256 with claims `{exp, aud: "<provider>/<spec>", origin}`. A valid token exempts
 * the request from the per-IP rate limit.
 */
export class BuildTokens {
  constructor(private readonly opts: BuildTokenOptions) {}

  get expiresSeconds(): number {
    return this.opts.expiresSeconds;
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Math.floor(Date.now() / 1000);
  }

  async mint(audience: string, origin: string): Promise<string> {
    return new SignJWT({ origin })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(audience)
      .setExpirationTime(this.now() + this.opts.expiresSeconds)
      .sign(this.opts.key);
  }

  /** Resolves when `token` is valid for `audience` and `origin`; else InvalidBuildTokenError. */
  async verify(token: string, audience: string, origin: string): Promise<void> {
    let claims: Record<string, unknown>;
    try {
      const result = await jwtVerify(token, this.opts.key, {
        algorithms: ['HS256'],
        audience,
        currentDate: new Date(this.now() * 1000),
        clockTolerance: 0,
      });
      claims = result.payload;
    } catch (err) {
      throw new InvalidBuildTokenError(`build token rejected: ${(err as Error).message}`);
    }
    if (typeof claims.exp !== 'number') {
      throw new InvalidBuildTokenError('build token rejected: no expiry');
    }
    if (this.opts.checkOrigin && claims.origin !== origin) {
      throw new InvalidBuildTokenError(
        `build token rejected: origin ${String(claims.origin)} is not ${origin}`,
      );
    }
  }
}
