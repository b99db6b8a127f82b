/**
 * What every ImageRegistry promises the api, run against DockerRegistry on the stack's
 * registry (docker-registry.stack.test.ts) and FakeImageRegistry (fake-image-registry.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RegistryUnavailableError, type ImageRegistry } from '../../api/registry/image-registry.js';

export interface RegistryUnderTest {
  registry: ImageRegistry;
  /** Where test images are named. */
  imagePrefix: string;
  /** Makes `image` exist. */
  put(image: string): Promise<void>;
  /** The same kind of registry, unreachable (an outage). */
  unavailable(): ImageRegistry;
}

export function imageRegistryContract(label: string, start: () => Promise<RegistryUnderTest>) {
  describe(`ImageRegistry contract: ${label}`, () => {
    const name = () => `contract-${randomUUID().slice(0, 8)}`;

    it('an image put there exists; another tag of it and another name do not', async () => {
      const t = await start();
      const repo = `${t.imagePrefix}${name()}`;
      await t.put(`${repo}:aaaa1111`);
      expect(await t.registry.hasImage(`${repo}:aaaa1111`)).toBe(true);
      expect(await t.registry.hasImage(`${repo}:bbbb2222`)).toBe(false);
      expect(await t.registry.hasImage(`${t.imagePrefix}${name()}:aaaa1111`)).toBe(false);
    });

    it('an outage is an error, never taken for absent', async () => {
      const t = await start();
      await expect(
        t.unavailable().hasImage(`${t.imagePrefix}${name()}:aaaa1111`),
      ).rejects.toBeInstanceOf(RegistryUnavailableError);
    });

    it('an aborted lookup rejects', async () => {
      const t = await start();
      const ac = new AbortController();
      ac.abort(new Error('gone'));
      await expect(
        t.registry.hasImage(`${t.imagePrefix}${name()}:aaaa1111`, ac.signal),
      ).rejects.toThrow();
    });
  });
}
