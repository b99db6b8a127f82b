import type { Job } from 'bullmq';
import { scrubUrl, type BuildJob, type BuildQueue, type BuildResult } from '../../queue/index.js';
import { jobMatches, type RepoQuery } from './repo-query.js';

/** One build as `GET /api/builds` shows it. */
export interface BuildSummary {
  buildName: string;
  trigger: BuildJob['trigger'];
  provider: string;
  spec: string;
  /** The commit (resolved ref) built. */
  sha: string;
  image: string;
  /** queued | waiting (behind this ref's running pre-build) | running | built | failed */
  state: string;
  requestedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** ms from being queued to starting, and from starting to finishing. */
  queuedMs: number | null;
  durationMs: number | null;
  error?: string;
}

const STATES = {
  active: 'running',
  waiting: 'queued',
  prioritized: 'queued',
  delayed: 'waiting',
  completed: 'built',
  failed: 'failed',
} as const;
type QueueState = keyof typeof STATES;

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

function summarise(job: Job<BuildJob, BuildResult>, state: QueueState): BuildSummary {
  const d = job.data;
  const started = job.processedOn;
  const finished = job.finishedOn;
  return {
    buildName: d.buildName,
    trigger: d.trigger,
    provider: d.provider,
    spec: scrubUrl(d.spec),
    sha: d.ref,
    image: d.image,
    state: STATES[state],
    requestedAt: new Date(d.requestedAt).toISOString(),
    startedAt: iso(started),
    finishedAt: iso(finished),
    queuedMs: started ? Math.max(0, started - job.timestamp) : null,
    durationMs: started && finished ? Math.max(0, finished - started) : null,
    ...(job.failedReason ? { error: scrubUrl(job.failedReason) } : {}),
  };
}

/**
 * The repository's builds the queue still knows (running, queued, and the last
 * `scan` finished ones of each kind), newest first.
 */
export async function listBuilds(
  queue: BuildQueue['queue'],
  q: RepoQuery,
  opts: { limit: number; scan: number },
): Promise<BuildSummary[]> {
  const found: Array<{ at: number; summary: BuildSummary }> = [];
  for (const state of Object.keys(STATES) as QueueState[]) {
    const jobs = await queue.getJobs([state], 0, opts.scan - 1);
    for (const job of jobs) {
      if (!job?.data || !jobMatches(q, job.data)) continue;
      found.push({ at: job.data.requestedAt, summary: summarise(job, state) });
    }
  }
  found.sort((a, b) => b.at - a.at);
  return found.slice(0, opts.limit).map((f) => f.summary);
}
