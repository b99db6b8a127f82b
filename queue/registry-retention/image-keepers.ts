/**
 * Images the registry cleaner must keep, whatever their age: the current image of each
 * warm-pool spec, the last good image of each (provider, repo, ref), … Each source is
 * one `ImageKeepers`; the cleaner asks all of them before it deletes anything, and a
 * source that fails stops the run (nothing is deleted on a partial answer).
 */
export interface ImageKeepers {
  /** Full image names with tag (`registry/binder-…:<tag>`). */
  imagesToKeep(): Promise<string[]>;
}

/** Every image any of the sources keeps. */
export function combineKeepers(sources: readonly ImageKeepers[]): ImageKeepers {
  return {
    async imagesToKeep() {
      const lists = await Promise.all(sources.map((s) => s.imagesToKeep()));
      return [...new Set(lists.flat())];
    },
  };
}
