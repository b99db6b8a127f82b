/**
 * Where built images live. `hasImage` answers true/false; it throws RegistryUnavailableError
 * when the registry could not say (5xx, timeout): unknown is never taken for absent.
 */
export interface ImageRegistry {
  hasImage(image: string, signal?: AbortSignal): Promise<boolean>;
}

export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';
}
