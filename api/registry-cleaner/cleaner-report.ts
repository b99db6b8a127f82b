import type { DeletionPlan } from './plan-deletions.js';

/** What one run of the registry cleaner did (the admin API and dashboard show the last). */
export interface CleanerReport {
  startedAt: string;
  finishedAt: string;
  trigger: 'schedule' | 'api';
  dryRun: boolean;
  maxAgeDays: number;
  /** Repositories of this Binder's images (`BinderHub.image_prefix`) and their tags looked at. */
  repositories: number;
  tags: number;
  /** Manifests deleted (or, in a dry run, that would be): their images and last use. */
  deleted: Array<{ images: string[]; digest: string; lastUsed: string }>;
  kept: DeletionPlan['kept'];
  /** Problems met (a repository that could not be listed, a delete refused). */
  errors: string[];
}
