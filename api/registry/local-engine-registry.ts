import { request } from 'node:http';
import { RegistryUnavailableError, type ImageRegistry } from './image-registry.js';

/** Parses DOCKER_HOST (`unix:///path`, `tcp://host:port`) into http.request options. */
export function dockerEndpoint(
  dockerHost: string,
): { socketPath: string } | { host: string; port: number } {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const u = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: u.hostname, port: Number(u.port || 2375) };
}

/** `use_registry: false`: images are looked up in the local Docker engine instead. */
export class LocalEngineRegistry implements ImageRegistry {
  constructor(private readonly dockerHost: string) {}

  hasImage(image: string, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          ...dockerEndpoint(this.dockerHost),
          path: `/images/${encodeURIComponent(image)}/json`,
          method: 'GET',
          signal,
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          if (res.statusCode === 200) resolve(true);
          else if (res.statusCode === 404) resolve(false);
          else reject(new RegistryUnavailableError(`Docker engine answered ${res.statusCode}`));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) =>
        reject(
          signal?.aborted
            ? err
            : new RegistryUnavailableError(`Docker engine unreachable: ${err.message}`),
        ),
      );
      req.end();
    });
  }
}
