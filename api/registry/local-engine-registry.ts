import { request } from 'node:http';
import { dockerEndpoint } from '../../queue/docker-endpoint.js';
import { RegistryUnavailableError, type ImageRegistry } from './image-registry.js';

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
