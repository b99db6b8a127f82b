import { FakeImageRegistry } from '../../api/registry/fake-image-registry.js';
import { imageRegistryContract } from './image-registry.contract.js';

// The image-registry contract against the in-memory registry.
imageRegistryContract('FakeImageRegistry (in memory)', async () => {
  const registry = new FakeImageRegistry();
  return {
    registry,
    imagePrefix: '127.0.0.1:5000/binder-fake-',
    put: async (image) => registry.add(image),
    unavailable: () => Object.assign(new FakeImageRegistry(), { unavailable: true }),
  };
});
