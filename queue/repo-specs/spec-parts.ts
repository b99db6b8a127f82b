import { SpecError } from './spec-error.js';

/** Python's `urllib.parse.quote(s, safe='')`: everything but `A-Za-z0-9_.-~` percent-encoded. */
export function pyQuote(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Percent-decoding that reports malformed input as a SpecError instead of a URIError. */
export function unquote(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SpecError(`${what} is not correctly percent-encoded: "${s}"`);
  }
}

/** Upstream's `tokenize_spec`: `user/repo/ref`, where the ref may itself contain `/`. */
export function tokenizeSpec(spec: string): [string, string, string] {
  const parts = spec.split('/');
  if (parts.length < 3) {
    let msg = `Spec is not of the form "user/repo/ref", provided: "${spec}".`;
    const last = parts[parts.length - 1] ?? '';
    if (parts.length === 2 && !['main', 'master', 'HEAD'].includes(last)) {
      msg += ` Did you mean "${spec}/HEAD"?`;
    }
    throw new SpecError(msg);
  }
  return [parts[0]!, parts[1]!, parts.slice(2).join('/')];
}

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A ref as a user may give it: non-empty, ≤ 255 characters, no control characters, no leading `-`. */
export function checkRef(ref: string): string {
  if (ref === '') throw new SpecError('An unresolved ref is required');
  if (ref.length > 255) throw new SpecError('The ref is longer than 255 characters');
  if (CONTROL.test(ref)) throw new SpecError('The ref contains control characters');
  if (ref.startsWith('-')) throw new SpecError(`Invalid ref "${ref}": a ref cannot start with "-"`);
  return ref;
}

/** GitHub/GitLab account and repository names: letters, digits, `-`, `_`, `.`. */
export function checkName(name: string, what: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name) || name === '.' || name === '..') {
    throw new SpecError(`Invalid ${what} "${name}": use letters, digits, "-", "_" and "." only`);
  }
  return name;
}

export const SHA1 = /^[0-9a-f]{40}$/;

/** A git commit id: sha-1, or sha-256 repositories. What every git provider resolves a ref to. */
export const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
export const COMMIT_ID_FORM = 'a commit id';
