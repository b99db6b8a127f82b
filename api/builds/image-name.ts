/**
 * Splits an image name into registry repository path and tag, as upstream does: the tag
 * follows the last `:` (else `latest`); a name that looks like a Docker Hub `user/repo`
 * is kept whole, otherwise the first path segment is the registry host and is dropped.
 */
export function imageBasenameAndTag(image: string): { name: string; tag: string } {
  const colon = image.lastIndexOf(':');
  const slash = image.lastIndexOf('/');
  const hasTag = colon > slash;
  const full = hasTag ? image.slice(0, colon) : image;
  const tag = hasTag ? image.slice(colon + 1) : 'latest';
  if (/^[a-z0-9]{4,40}\/[a-z0-9._-]{2,255}$/.test(full)) return { name: full, tag };
  const first = full.indexOf('/');
  return { name: first >= 0 ? full.slice(first + 1) : full, tag };
}
