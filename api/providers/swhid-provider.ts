import { z } from 'zod';
import { SwhidSpec } from '../../queue/repo-specs/swhid-spec.js';
import { fetchMetadata, type DataProviderDeps } from './data-provider-deps.js';
import { ResolveError, type RepoProvider } from './repo-provider.js';
import type { Resolution } from './resolution-cache.js';

export interface SwhidSettings extends DataProviderDeps {
  /** `SoftwareHeritageProvider.api_url` (`https://archive.softwareheritage.org/api/1/`). */
  apiUrl: string;
  archiveUrl: string;
}

const SERVICE = 'Software Heritage';
// GET /api/1/resolve/<swhid>/ and /api/1/revision/<sha1_git>/
const resolveSchema = z.object({ object_type: z.string(), object_id: z.string() }).loose();
const revisionSchema = z.object({ directory: z.string().regex(/^[0-9a-f]{40}$/) }).loose();

/**
 * `swhid/<SWHID>`: the archive confirms the object (`/resolve/`); a revision is followed
 * to its root directory (`/revision/`). The ref is the directory id. Archived objects
 * never change, so resolutions are cached for good. With `SoftwareHeritageProvider.token`
 * requests carry `Authorization: Bearer <token>` (the higher rate limit).
 */
export class SwhidProvider extends SwhidSpec implements RepoProvider {
  constructor(
    spec: string,
    private readonly s: SwhidSettings,
  ) {
    super(spec, s.archiveUrl);
  }

  resolveRef(signal?: AbortSignal): Promise<string | null> {
    return this.s.cache.resolve(this.core, () => this.resolveNow(), this.s.onOutcome, signal);
  }

  private async resolveNow(): Promise<Resolution | null> {
    const object = await fetchMetadata(
      this.s.http,
      SERVICE,
      new URL(`${this.s.apiUrl}resolve/${this.core}/`),
      { schema: resolveSchema, pick: (o) => o },
    );
    if (!object) return null;
    const expected = this.objectType === 'dir' ? 'directory' : 'revision';
    if (object.object_type !== expected || object.object_id !== this.hash) {
      throw new ResolveError(
        `${SERVICE} resolved ${this.core} to another object (${object.object_type} ${object.object_id})`,
      );
    }
    if (this.objectType === 'dir') return { ref: this.hash, immutable: true };
    const directory = await fetchMetadata(
      this.s.http,
      SERVICE,
      new URL(`${this.s.apiUrl}revision/${this.hash}/`),
      { schema: revisionSchema, pick: (r) => r.directory },
    );
    return directory === null ? null : { ref: directory, immutable: true };
  }
}
