import { createHash } from 'node:crypto';
import { canonicalRepoUrl, redactedUrl } from '../url-policy/canonical-url.js';
import type { RepoSpec } from './repo-spec.js';
import { SpecError } from './spec-error.js';
import { checkRef, COMMIT_ID, COMMIT_ID_FORM, pyQuote, unquote } from './spec-parts.js';

/** `user@host:path` (scp-like ssh) → `ssh://user@host/path`, as upstream rewrites it. */
function normaliseSshUrl(url: string): string {
  const m = /^([A-Za-z0-9._-]+@[A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(url);
  return m ? `ssh://${m[1]}/${m[2]}` : url;
}

/** Userinfo as git credential lines; control characters (after decoding) are refused. */
function credentialLinesOf(url: URL): string {
  const lines = [`username=${decodeURIComponent(url.username)}`];
  if (url.password) lines.push(`password=${decodeURIComponent(url.password)}`);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (lines.some((l) => /[\u0000-\u001f\u007f]/.test(l))) {
    throw new SpecError('The credentials in the repository URL contain control characters');
  }
  return lines.join('\n');
}

/**
 * `git/<url-encoded repository URL>/<url-encoded ref>`: any git repository. The URL must
 * be in canonical form with a scheme from `GitRepoProvider.allowed_protocols`.
 *
 * Credentials in an http(s) URL (`https://user:token@host/repo.git`) never go further
 * than here in clear: the repository URL is the URL without them, they reach git only
 * through a credential helper scoped to that host, and the slug is the URL without them
 * plus a hash of them (unlike upstream, whose image names carry them) — so two people
 * with different credentials never share an image, and nobody without them gets it.
 */
export class GitSpec implements RepoSpec {
  readonly prefix = 'git';
  readonly name = 'Git';
  readonly contentProvider = 'git';
  readonly resolvedRefForm = COMMIT_ID_FORM;
  /** The repository URL (canonical, without credentials). */
  readonly url: string;
  readonly unresolvedRef: string;
  /** The URL as given (ssh rewritten), credentials included: what the spec encodes. */
  private readonly given: string;
  private readonly credentials: string | undefined;
  private readonly credentialsDigest: string | undefined;

  constructor(
    readonly spec: string,
    allowedProtocols: readonly string[],
  ) {
    const slash = spec.indexOf('/');
    const quotedUrl = slash >= 0 ? spec.slice(0, slash) : spec;
    const ref = slash >= 0 ? unquote(spec.slice(slash + 1), 'ref') : '';
    const raw = unquote(quotedUrl, 'repository URL');
    if (raw.startsWith('-'))
      throw new SpecError(`Invalid git url ${redactedUrl(raw)}: a URL cannot start with "-"`);
    if (ref === '')
      throw new SpecError(
        '`unresolved_ref` must be specified in the url for the basic git provider',
      );
    this.unresolvedRef = checkRef(ref);
    this.given = normaliseSshUrl(raw);
    const url = canonicalRepoUrl(this.given, allowedProtocols);
    if (url.username || url.password) {
      if (url.protocol === 'ssh:' && url.password)
        throw new SpecError('An ssh repository URL cannot carry a password');
      if (url.protocol === 'git:')
        throw new SpecError('A git:// repository URL cannot carry credentials');
      if (url.protocol !== 'ssh:') {
        this.credentials = credentialLinesOf(url);
        this.credentialsDigest = createHash('sha256')
          .update(`${url.username}:${url.password}`)
          .digest('hex')
          .slice(0, 16);
        url.username = '';
        url.password = '';
      }
    }
    this.url = url.href;
  }

  isResolvedRef(ref: string): boolean {
    return COMMIT_ID.test(ref);
  }

  resolvedSpec(ref: string): string {
    return `${pyQuote(this.given)}/${ref}`;
  }

  repoUrl(): string {
    return this.url;
  }

  refUrl(_ref: string): string {
    return this.url;
  }

  buildSlug(_resolvedRef?: string): string {
    return this.credentialsDigest ? `${this.url}#credentials-${this.credentialsDigest}` : this.url;
  }

  urlCredentials(): string | undefined {
    return this.credentials;
  }
}
