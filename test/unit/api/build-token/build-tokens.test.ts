import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  buildTokenKey,
  BuildTokenSecretError,
} from '../../../../api/build-token/build-token-secret.js';
import {
  buildTokenAudience,
  BuildTokens,
  InvalidBuildTokenError,
} from '../../../../api/build-token/build-tokens.js';
import { tokenOrigin } from '../../../../api/build-token/token-origin.js';

const key = buildTokenKey('00112233445566778899aabbccddeeff').key;
let clock = 1_800_000_000;
const tokens = new BuildTokens({ key, expiresSeconds: 300, checkOrigin: true, now: () => clock });
const aud = buildTokenAudience('gh', 'org/repo/HEAD');

describe('BuildTokens', () => {
  it("mints upstream's claims: HS256, exp, aud <provider>/<spec>, origin", async () => {
    const token = await tokens.mint(aud, 'binder.example.org');
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    expect(decodeJwt(token)).toEqual({
      exp: clock + 300,
      aud: 'gh/org/repo/HEAD',
      origin: 'binder.example.org',
    });
  });
  it('accepts its own token for the same audience and origin', async () => {
    const token = await tokens.mint(aud, 'h:1');
    await expect(tokens.verify(token, aud, 'h:1')).resolves.toBeUndefined();
  });
  it('refuses an expired token', async () => {
    const token = await tokens.mint(aud, 'h');
    clock += 301;
    await expect(tokens.verify(token, aud, 'h')).rejects.toBeInstanceOf(InvalidBuildTokenError);
    clock -= 301;
  });
  it('refuses another audience, another key, garbage and a mismatched origin', async () => {
    const token = await tokens.mint(aud, 'h');
    await expect(
      tokens.verify(token, buildTokenAudience('gh', 'org/other/HEAD'), 'h'),
    ).rejects.toBeInstanceOf(InvalidBuildTokenError);
    const other = new BuildTokens({
      key: buildTokenKey('ff'.repeat(16)).key,
      expiresSeconds: 300,
      checkOrigin: true,
    });
    await expect(other.verify(token, aud, 'h')).rejects.toBeInstanceOf(InvalidBuildTokenError);
    await expect(tokens.verify('not.a.jwt', aud, 'h')).rejects.toBeInstanceOf(
      InvalidBuildTokenError,
    );
    await expect(tokens.verify(token, aud, 'evil.example')).rejects.toThrow(
      /origin h is not evil.example/,
    );
  });
  it('skips the origin check when build_token_check_origin is false', async () => {
    const lax = new BuildTokens({ key, expiresSeconds: 300, checkOrigin: false });
    const token = await lax.mint(aud, 'h');
    await expect(lax.verify(token, aud, 'elsewhere')).resolves.toBeUndefined();
  });
  it('drops trailing slashes of the spec from the audience', () => {
    expect(buildTokenAudience('gh', 'a/b/master/')).toBe('gh/a/b/master');
  });
});

describe('buildTokenKey', () => {
  it('decodes hex, or makes a random 32-byte key', () => {
    expect(Buffer.from(buildTokenKey('0aff').key).toString('hex')).toBe('0aff');
    const random = buildTokenKey('');
    expect(random.random).toBe(true);
    expect(random.key).toHaveLength(32);
    expect(Buffer.from(buildTokenKey('').key).equals(Buffer.from(random.key))).toBe(false);
  });
  it('refuses a secret that is not hex', () => {
    expect(() => buildTokenKey('not-hex')).toThrow(BuildTokenSecretError);
    expect(() => buildTokenKey('abc')).toThrow(/hex string/);
  });
});

describe('tokenOrigin', () => {
  it("is the Origin header's host, else the Host header (upstream token_origin)", () => {
    expect(tokenOrigin({ origin: 'https://my.origin', host: 'my.host' })).toBe('my.origin');
    expect(tokenOrigin({ origin: 'http://127.0.0.1:8585', host: 'x' })).toBe('127.0.0.1:8585');
    expect(tokenOrigin({ host: 'my.host' })).toBe('my.host');
    expect(tokenOrigin({})).toBe('');
    expect(tokenOrigin({ origin: 'null' })).toBe('');
  });
});
