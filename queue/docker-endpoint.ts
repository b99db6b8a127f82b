/** Parses DOCKER_HOST (`unix:///path`, `tcp://host:port`) into http.request options. */
export function dockerEndpoint(
  dockerHost: string,
): { socketPath: string } | { host: string; port: number } {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const u = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: u.hostname, port: Number(u.port || 2375) };
}
