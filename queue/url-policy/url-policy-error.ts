/** A repository URL the URL policy refuses (private address, unresolvable host); shown to the user. */
export class UrlPolicyError extends Error {
  override readonly name = 'UrlPolicyError';
}
