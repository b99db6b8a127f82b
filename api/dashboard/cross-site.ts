/**
 * Why a state-changing dashboard request must be refused as possibly cross-site, or
 * undefined when it is same-origin. Browsers send `Sec-Fetch-Site` (modern) or `Origin`
 * (every non-GET fetch) on such requests; a request with neither comes from a script,
 * which must then authenticate with a Bearer token (a header no other site can make a
 * browser send — cached basic-auth credentials, on the other hand, are sent by the browser
 * on any request).
 */
export function crossSiteRefusal(
  header: (name: string) => string | undefined,
  host: string | undefined,
  viaBearer: boolean,
): string | undefined {
  const site = header('sec-fetch-site');
  if (site !== undefined) {
    return site === 'same-origin' ? undefined : `Sec-Fetch-Site is "${site}", not "same-origin"`;
  }
  const origin = header('origin');
  if (origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return `Origin "${origin}" is not a URL`;
    }
    return host && originHost === host ? undefined : `Origin ${origin} is not this site`;
  }
  return viaBearer
    ? undefined
    : 'the request has no Origin or Sec-Fetch-Site header (scripts: authenticate with Authorization: Bearer <token>)';
}
