import { randomBytes } from 'node:crypto';

/** `BinderHub.build_token_secret` is not a hex string. */
export class BuildTokenSecretError extends Error {
  override readonly name = 'BuildTokenSecretError';
}

/**
 * The key that signs build tokens: `BinderHub.build_token_secret` (or
 * `$BINDERHUB_BUILD_TOKEN_SECRET`, through the config loader) decoded from hex, as upstream;
 * when unset, 32 random bytes for this process only (then tokens minted by one api
 * replica are refused by another: set the secret when running more than one).
 */
export function buildTokenKey(secret: string): { key: Uint8Array; random: boolean } {
  const hex = secret.trim();
  if (hex === '') return { key: new Uint8Array(randomBytes(32)), random: true };
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) {
    throw new BuildTokenSecretError(
      'BinderHub.build_token_secret must be a hex string (an even number of 0-9a-f digits), e.g. the output of `openssl rand -hex 32`',
    );
  }
  return { key: new Uint8Array(Buffer.from(hex, 'hex')), random: false };
}
