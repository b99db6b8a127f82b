/**
 * A stand-in for GitHub's REST API (a SaaS API this machine cannot reach), passed to the
 * providers as their `fetch`: `GET /repos/{owner}/{repo}/commits/{ref}` answers the
 * commit registered with `setRef`, in GitHub's response shape; anything else is a 404.
 */
export interface GitHubApiStandIn {
  fetch: typeof fetch;
  setRef(repo: string, ref: string, sha: string): void;
  /** Paths requested so far. */
  readonly requests: string[];
}

export function gitHubApiStandIn(): GitHubApiStandIn {
  const refs = new Map<string, string>();
  const requests: string[] = [];
  const standIn = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push(url.pathname);
    const m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/(.+)$/.exec(url.pathname);
    const sha = m
      ? refs.get(`${m[1]}/${m[2]}@${decodeURIComponent(m[3]!)}`.toLowerCase())
      : undefined;
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-remaining': '4999',
    };
    if (!sha) {
      const body = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' };
      return new Response(JSON.stringify(body), { status: 404, headers });
    }
    const body = {
      sha,
      commit: { message: 'recorded' },
      html_url: `https://github.com/${m![1]}/${m![2]}/commit/${sha}`,
    };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { ...headers, etag: `"${sha}"` },
    });
  };
  return {
    fetch: standIn as typeof fetch,
    setRef: (repo, ref, sha) => refs.set(`${repo}@${ref}`.toLowerCase(), sha),
    requests,
  };
}
