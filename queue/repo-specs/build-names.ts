import { createHash } from 'node:crypto';

const SAFE = /[A-Za-z0-9]/;

/** escapism.escape(s, safe=[A-Za-z0-9], escape_char='-'): each other UTF-8 byte becomes `-XX`. */
export function escapeSlug(s: string): string {
  let out = '';
  for (const ch of s) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8'))
      out += `-${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** Upstream's `_safe_build_slug`: escaped slug cut to fit `limit`, plus a hash of the original. */
export function safeBuildSlug(slug: string, limit: number, hashLength = 6): string {
  const escaped = escapeSlug(slug);
  return `${escaped.slice(0, Math.max(0, limit - hashLength - 1))}-${sha256Hex(slug).slice(0, hashLength)}`.toLowerCase();
}

/** Upstream's `_generate_build_name`: a DNS-label-safe name, ≤ 63 characters, per (slug, ref). */
export function buildName(slug: string, ref: string): string {
  const prefix = 'build-';
  const refLength = 6;
  const refPart = safeBuildSlug(ref, refLength, 2).slice(0, refLength);
  const slugPart = safeBuildSlug(slug, 63 - prefix.length - refLength - 1);
  return `${prefix}${slugPart}-${refPart}`.toLowerCase();
}

/** Upstream's image name: `<prefix><safe slug>:<ref>`, `_` → `-`, all lower case. */
export function imageName(imagePrefix: string, slug: string, ref: string): string {
  const safe = safeBuildSlug(slug, 255 - imagePrefix.length);
  return `${imagePrefix}${safe}:${ref}`.replace(/_/g, '-').toLowerCase();
}
