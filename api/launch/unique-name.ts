import { randomInt } from 'node:crypto';
import { trimSlashes } from '../http/trim-slashes.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Upstream's temporary user name for a repository: the URL path (or the part after `:`
 * of `user@host:path`), `/` → `-`, lower-case, without `.git`, at most 32 characters
 * (first 15 + `-` + last 15), then `-` and 8 random characters.
 */
export function uniqueNameFromRepo(
  repoUrl: string,
  random: (n: number) => number = randomInt,
): string {
  let path: string;
  const scp = /^[^/:@]+@[^/:]+:(.*)$/.exec(repoUrl);
  if (scp) path = scp[1]!;
  else {
    try {
      path = new URL(repoUrl).pathname;
    } catch {
      path = repoUrl;
    }
  }
  let prefix = trimSlashes(path).replace(/\//g, '-').toLowerCase();
  if (prefix.endsWith('.git')) prefix = prefix.slice(0, -4);
  if (prefix.length > 32) prefix = `${prefix.slice(0, 15)}-${prefix.slice(-15)}`;
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += ALPHABET[random(ALPHABET.length)];
  return `${prefix}-${suffix}`;
}
