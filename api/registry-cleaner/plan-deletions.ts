/** One tag in the registry, with what is known of its age. */
export interface TaggedImage {
  repo: string;
  tag: string;
  /** `<registry host>/<repo>:<tag>`, as launches and builds name it. */
  image: string;
  digest: string;
  /** Creation time from the image's config (ms), when known. */
  createdMs?: number;
}

export interface PlannedDeletion {
  repo: string;
  digest: string;
  /** Every tag that points at the manifest (all go with it). */
  images: string[];
  /** The newest of pushes, launches and creation among those tags (ms). */
  lastUsedMs: number;
}

export interface DeletionPlan {
  delete: PlannedDeletion[];
  kept: {
    /** Used (pushed, launched or created) within the age limit. */
    recent: number;
    /** Named by a keeper (warm pool, last good image). */
    keepers: number;
    /** Neither a recorded use nor a creation time: never deleted blindly. */
    unknownAge: number;
  };
}

/**
 * Which manifests to delete (pure): a manifest goes when none of its tags is kept and
 * every tag was last used (pushed, launched, else created) more than `maxAgeMs` ago.
 * Deleting a manifest deletes all its tags, so one kept or recent tag keeps them all.
 * At most `limit` deletions, the least recently used first.
 */
export function planDeletions(
  tags: readonly TaggedImage[],
  lastUsed: ReadonlyMap<string, number>,
  keep: ReadonlySet<string>,
  now: number,
  maxAgeMs: number,
  limit: number,
): DeletionPlan {
  const groups = new Map<string, TaggedImage[]>();
  for (const t of tags) {
    const key = `${t.repo}@${t.digest}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const plan: DeletionPlan = { delete: [], kept: { recent: 0, keepers: 0, unknownAge: 0 } };
  for (const group of groups.values()) {
    if (group.some((t) => keep.has(t.image))) {
      plan.kept.keepers += 1;
      continue;
    }
    const times = group.map((t) => Math.max(lastUsed.get(t.image) ?? -1, t.createdMs ?? -1));
    if (times.some((ms) => ms < 0)) {
      plan.kept.unknownAge += 1;
      continue;
    }
    const newest = Math.max(...times);
    if (now - newest <= maxAgeMs) {
      plan.kept.recent += 1;
      continue;
    }
    const first = group[0]!;
    plan.delete.push({
      repo: first.repo,
      digest: first.digest,
      images: group.map((t) => t.image),
      lastUsedMs: newest,
    });
  }
  plan.delete.sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  plan.delete = plan.delete.slice(0, limit);
  return plan;
}
