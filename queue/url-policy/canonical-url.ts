import { SpecError } from '../repo-specs/spec-error.js';

// RFC 3986: unreserved, gen-delims, sub-delims and percent-encoded bytes, nothing else.
const RFC3986_CHAR = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/;
const IPV6_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;

/** The URL for messages and names: credentials written into it become `***`. */
export function redactedUrl(raw: string): string {
  return raw.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#\\]*@/, '$1***@');
}

function shown(c: string): string {
  // eslint-disable-next-line no-control-regex -- naming control characters is the point
  return /[\u0000-\u0020\u007f-\u00a0]/.test(c)
    ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
    : c;
}

/**
 * Parses a repository URL and refuses every form on which two parsers could disagree:
 * characters outside RFC 3986 (backslashes, whitespace, controls, non-ASCII), malformed
 * percent-encoding, anything the WHATWG parser would rewrite (dot segments, default
 * ports, upper-case hosts, other spellings of an address), a fragment, a missing or odd
 * host. What passes is handed on in exactly this (canonical) form.
 */
export function canonicalRepoUrl(raw: string, allowedProtocols: readonly string[]): URL {
  const safe = redactedUrl(raw);
  if (raw.startsWith('-'))
    throw new SpecError(`Invalid git url ${safe}: a URL cannot start with "-"`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SpecError(`Invalid git url ${safe}`);
  }
  const proto = url.protocol.replace(/:$/, '');
  if (!allowedProtocols.includes(proto)) {
    throw new SpecError(
      `Unsupported git url ${safe}, protocol ${proto} not in ${allowedProtocols.join(', ')}`,
    );
  }
  const bad = [...raw].find((c) => !RFC3986_CHAR.test(c));
  if (bad !== undefined)
    throw new SpecError(
      `Invalid git url ${safe}: "${shown(bad)}" is not allowed in a repository URL`,
    );
  if (BAD_PERCENT.test(raw))
    throw new SpecError(`Invalid git url ${safe}: "%" must start a percent-encoded byte (%XX)`);
  if (url.href !== raw) {
    throw new SpecError(
      `Invalid git url ${safe}: write it in its canonical form, ${redactedUrl(url.href)}`,
    );
  }
  if (url.hash) throw new SpecError(`Invalid git url ${safe}: a repository URL has no #fragment`);
  if (!HOST_NAME.test(url.hostname) && !IPV6_LITERAL.test(url.hostname)) {
    throw new SpecError(`Invalid git url ${safe}: no valid host`);
  }
  return url;
}
