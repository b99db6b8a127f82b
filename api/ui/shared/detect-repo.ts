import { detectDataLink } from './detect-data-link.js';

/** The part of a provider's `display_config` used to recognise pasted input. */
export interface DetectProvider {
  id: string;
  detect?: { regex: string };
}

export interface Detected {
  /** Provider to switch to. */
  providerId: string;
  repo: string;
  ref?: string;
  /** A file or folder inside the repository (opened with the "File" path kind). */
  path?: string;
}

const GITHUB_URL =
  /^https?:\/\/(?:www\.)?github\.com\/([^/?#\s]+)\/([^/?#\s]+?)(?:\.git)?(?:\/(?:(tree|blob)\/([^/?#\s]+)(?:\/([^?#\s]*))?)?)?\/?(?:[?#].*)?$/i;

/**
 * A full GitHub web URL (`https://github.com/org/repo[/tree|blob/<ref>[/<path>]]`) split
 * into repository, ref and path. Refs containing `/` cannot be told apart from paths in
 * such URLs; the first segment is taken as the ref.
 */
export function parseGitHubUrl(text: string): Omit<Detected, 'providerId'> | null {
  const m = GITHUB_URL.exec(text.trim());
  if (!m) return null;
  const [, owner, name, , ref, path] = m;
  const out: Omit<Detected, 'providerId'> = { repo: `${owner}/${name}` };
  if (ref) out.ref = decodeURIComponent(ref);
  const cleanPath = path?.replace(/\/+$/, '');
  if (cleanPath) out.path = decodeURIComponent(cleanPath);
  return out;
}

/**
 * Recognises what was typed or pasted into the repository field. A GitHub web URL selects
 * the `gh` provider (when registered) and yields repo, ref and path; a SWHID, a DOI or a
 * data repository's page selects its provider (when registered, see detect-data-link);
 * otherwise the selected provider's `detect.regex` (upstream's display_config) extracts
 * the `repo` group. Null when nothing was recognised (the text is then used as it is).
 */
export function detectRepo(
  providers: readonly DetectProvider[],
  selectedId: string,
  text: string,
): Detected | null {
  const value = text.trim();
  if (!value) return null;
  const github = providers.find((p) => p.id === 'gh');
  if (github) {
    const parsed = parseGitHubUrl(value);
    if (parsed) return { providerId: github.id, ...parsed };
  }
  const data = detectDataLink(value, selectedId);
  if (data && providers.some((p) => p.id === data.providerId)) return data;
  const selected = providers.find((p) => p.id === selectedId);
  if (!selected?.detect?.regex) return null;
  let regex: RegExp;
  try {
    regex = new RegExp(selected.detect.regex);
  } catch {
    return null;
  }
  const repo = regex.exec(value)?.groups?.repo;
  return repo ? { providerId: selected.id, repo } : null;
}
