/**
 * Glob patterns over branch, tag and repository names, as GitHub Actions writes them:
 * `*` matches within one `/`-separated segment, `**` across segments, `?` one character
 * other than `/`. Matching is whole-name; repository names compare case-insensitively.
 */
export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

/** A compiled list of globs: `matches(name)` is true when any glob matches. */
export class NameGlobs {
  private readonly res: RegExp[];

  constructor(globs: readonly string[], caseInsensitive = false) {
    this.res = globs.map((g) => globToRegExp(g, caseInsensitive));
  }

  get empty(): boolean {
    return this.res.length === 0;
  }

  matches(name: string): boolean {
    return this.res.some((re) => re.test(name));
  }
}
