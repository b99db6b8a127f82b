import { RegistryUnavailableError, type ImageRegistry } from './image-registry.js';

/**
 * An ImageRegistry in memory, for tests (DI only: nothing in the product creates it):
 * the images a test (or a fake build) put there exist, every other does not, and while
 * `unavailable` is set every lookup fails as a registry outage does. Checked against
 * DockerRegistry on the real registry by one contract suite
 * (test/contracts/image-registry.contract.ts).
 */
export class FakeImageRegistry implements ImageRegistry {
  private readonly images = new Set<string>();
  /** Set to make every lookup throw RegistryUnavailableError (a registry outage). */
  unavailable = false;
  /** Lookups answered, in order (what a test may count). */
  readonly lookups: string[] = [];

  constructor(images: Iterable<string> = []) {
    for (const image of images) this.images.add(image);
  }

  add(image: string): void {
    this.images.add(image);
  }

  remove(image: string): void {
    this.images.delete(image);
  }

  async hasImage(image: string, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    if (this.unavailable) throw new RegistryUnavailableError('the registry is unavailable (fake)');
    this.lookups.push(image);
    return this.images.has(image);
  }
}
