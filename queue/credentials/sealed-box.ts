import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** A sealed value that cannot be opened: wrong key, wrong context, altered or malformed. */
export class SealedBoxError extends Error {
  override readonly name = 'SealedBoxError';
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * `UserCredentials.encryption_key` as 32 bytes: 64 hex digits, or base64/base64url of
 * 32 bytes (`openssl rand -base64 32`). Undefined when it is neither.
 */
export function parseEncryptionKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return undefined;
  const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/**
 * AES-256-GCM under a key derived (HKDF-SHA256) from the configured key for one
 * purpose, so a value sealed for one use (tokens at rest, a build job) never opens in
 * another. Every value is bound to a context string (the additional authenticated
 * data: whose token, which build): a sealed value copied elsewhere does not open.
 */
export class SealedBox {
  private readonly key: Buffer;

  constructor(masterKey: Buffer, purpose: string) {
    if (masterKey.length !== 32) throw new Error('the encryption key must be 32 bytes');
    this.key = Buffer.from(hkdfSync('sha256', masterKey, '', `binderhub-ts ${purpose}`, 32));
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
    return `${VERSION}.${sealed.toString('base64url')}`;
  }

  /** The plain text; SealedBoxError when it was not sealed by this box for `context`. */
  open(sealed: string, context: string): string {
    const [version, data] = sealed.split('.');
    if (version !== VERSION || !data) throw new SealedBoxError('not a sealed value');
    const bytes = Buffer.from(data, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealedBoxError('sealed value too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedBoxError('the sealed value does not open with this key and context');
    }
  }
}
