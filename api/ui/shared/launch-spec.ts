/**
 * Where to send the user inside their server once it is ready, from the launch page's
 * query (upstream's `LaunchSpec.fromSearchParams`): `urlpath` as given, overridden by
 * `labpath` (→ `doc/tree/<path>`) or `filepath` (→ `tree/<path>`); `labpath` wins over
 * `filepath`. A single trailing `/` is dropped from labpath/filepath, the path is passed
 * through `encodeURI`, and leading `/` are removed from the result.
 */
export function urlPathFromQuery(params: URLSearchParams): string {
  let urlPath = params.get('urlpath') ?? '';
  const labPath = params.get('labpath');
  const filePath = params.get('filepath');
  if (labPath !== null) {
    urlPath = `doc/tree/${encodeURI(labPath.replace(/\/$/, ''))}`;
  } else if (filePath !== null) {
    urlPath = `tree/${encodeURI(filePath.replace(/\/$/, ''))}`;
  }
  return urlPath.replace(/^\/*/, '');
}

/**
 * The URL the launch page redirects to: `urlPath` resolved against the server URL, plus
 * `?token=<token>` (upstream's `getJupyterServerRedirectUrl`). Unlike upstream, a path
 * that would leave the user's server (`http://elsewhere/`, `../..`) is ignored, so the
 * token is only ever sent to the server it belongs to.
 */
export function serverRedirectUrl(serverUrl: string, token: string, urlPath: string): string {
  const base = new URL(serverUrl);
  let target = new URL(urlPath, base);
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) {
    target = new URL(base);
  }
  target.searchParams.append('token', token);
  return target.toString();
}
