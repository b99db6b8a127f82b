import { DockerRegistry } from '../../api/registry/docker-registry.js';
import { freePort } from '../helpers/free-port.js';
import { putTinyImage } from '../helpers/registry-image.js';
import { requireStack } from '../helpers/stack.js';
import { imageRegistryContract } from './image-registry.contract.js';

// The image-registry contract against DockerRegistry on the stack's registry; the outage
// is a port nothing listens on.
imageRegistryContract('DockerRegistry (the stack’s registry)', async () => {
  const s = await requireStack();
  const closed = await freePort();
  return {
    registry: new DockerRegistry({ url: s.registryUrl, timeoutMs: 10_000 }),
    imagePrefix: s.imagePrefix,
    put: (image) => putTinyImage(image, s.registryUrl),
    unavailable: () =>
      new DockerRegistry({ url: `http://127.0.0.1:${closed}`, timeoutMs: 2000, attempts: 1 }),
  };
});
