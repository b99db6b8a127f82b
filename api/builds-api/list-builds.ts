import type { Job } from 'bullmq';
import { scrubUrl, type BuildJob, type BuildQueue, type BuildResult } from '../../queue/index.js';
import { HttpError } from '../http/http-error.js';
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
  /** A forced rebuild (`POST /api/rebuilds`) of an image that existed. */
  rebuild?: true;
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
    ...(d.rebuild ? { rebuild: true as const } : {}),
  };
}

/** Where a page starts: a queue state (in STATES order) and an offset in it. */
export interface BuildsCursor {
  state: QueueState;
  offset: number;
}

const ORDER = Object.keys(STATES) as QueueState[];

/** `?cursor=<state>:<offset>` as `next` gave it; undefined when absent, else 400 if malformed. */
export function parseCursor(raw: unknown): BuildsCursor | undefined {
  if (raw === undefined || raw === '') return undefined;
  const m = typeof raw === 'string' ? /^([a-z]{1,12}):(\d{1,9})$/.exec(raw) : null;
  if (!m || !ORDER.includes(m[1] as QueueState)) {
    throw new HttpError(400, 'cursor must be the "next" value of a previous page');
  }
  return { state: m[1] as QueueState, offset: Number(m[2]) };
}

export interface BuildsPage {
  builds: BuildSummary[];
  /** Cursor of the next page; null when every state was read to its end. */
  next: string | null;
}

/**
 * One page of the repository's builds the queue still knows (running, queued, then
 * finished ones), reading at most `scan` jobs from `cursor` on and stopping at `limit`
 * matches; newest first within the page. Jobs that change state between two pages may
 * be missed or shown twice.
 */
export async function listBuilds(
  queue: BuildQueue['queue'],
  q: RepoQuery,
  opts: { limit: number; scan: number; cursor?: BuildsCursor },
): Promise<BuildsPage> {
  const found: Array<{ at: number; summary: BuildSummary }> = [];
  let budget = opts.scan;
  let s = opts.cursor ? ORDER.indexOf(opts.cursor.state) : 0;
  let offset = opts.cursor?.offset ?? 0;
  while (s < ORDER.length && budget > 0 && found.length < opts.limit) {
    const state = ORDER[s]!;
    const chunk = Math.min(budget, 100);
    const jobs = await queue.getJobs([state], offset, offset + chunk - 1);
    let used = 0;
    for (const job of jobs) {
      used++;
      // Builds of private repositories (a user's sealed token) are not listed.
      if (job?.data && job.data.userToken === undefined && jobMatches(q, job.data)) {
        found.push({ at: job.data.requestedAt, summary: summarise(job, state) });
        if (found.length >= opts.limit) break;
      }
    }
    budget -= used;
    offset += used;
    if (used === jobs.length && jobs.length < chunk) [s, offset] = [s + 1, 0];
  }
  found.sort((a, b) => b.at - a.at);
  const next = s < ORDER.length ? `${ORDER[s]}:${offset}` : null;
  return { builds: found.map((f) => f.summary), next };
}
