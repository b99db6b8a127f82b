import { redactedUrl } from '../url-policy/canonical-url.js';
import { pyQuote } from './spec-parts.js';

/**
 * A spec as it may be shown (job names, messages): for `git`, credentials written into
 * the repository URL are replaced by `***`. Other specs carry no credentials.
 */
export function specForDisplay(prefix: string, spec: string): string {
  if (prefix !== 'git') return spec;
  const slash = spec.indexOf('/');
  const quoted = slash >= 0 ? spec.slice(0, slash) : spec;
  let url: string;
  try {
    url = decodeURIComponent(quoted);
  } catch {
    return spec.replace(/^([^/]*?%3A%2F%2F)(?:(?!%2F)[^/])*%40/i, '$1***%40');
  }
  const shown = redactedUrl(url);
  return shown === url ? spec : `${pyQuote(shown)}${slash >= 0 ? spec.slice(slash) : ''}`;
}
