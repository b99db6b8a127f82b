const DEFAULT_PORTS: Record<string, number> = {
  'http:': 80,
  'https:': 443,
  'git:': 9418,
  'ssh:': 22,
};

/** The port a URL connects to: its own, else its scheme's default (0 when unknown). */
export function effectivePort(url: URL): number {
  return url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
}

/** A URL's host name without the brackets of an IPv6 literal, lower-cased. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}
