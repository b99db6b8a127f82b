import { imageBasenameAndTag } from '../builds/image-name.js';

/**
 * `BinderHub.image_prefix` split into the part before the registry repository name and
 * the start of every repository this Binder pushes: `127.0.0.1:5000/binder-` →
 * `{host: '127.0.0.1:5000/', repoPrefix: 'binder-'}`. The cleaner looks only at those
 * repositories, and names their images `<host><repo>:<tag>` as launches do.
 */
export function imagePrefixParts(imagePrefix: string): { host: string; repoPrefix: string } {
  const { name } = imageBasenameAndTag(`${imagePrefix}x:tag`);
  const repoPrefix = name.slice(0, -1);
  return { host: imagePrefix.slice(0, imagePrefix.length - repoPrefix.length), repoPrefix };
}

/** Registry repository names and tags as the distribution spec allows them. */
const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const isRepoName = (s: string): boolean => s.length <= 255 && REPO.test(s);
export const isTag = (s: string): boolean => TAG.test(s);
