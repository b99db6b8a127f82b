import type { Redis } from 'ioredis';
import { scrubUrl, type BuildQueue, type EventBus, type KeyNames } from '../../queue/index.js';

export interface BuildLogDeps {
  redis: Redis;
  keys: KeyNames;
  bus: Pick<EventBus, 'history'>;
  buildQueue: Pick<BuildQueue, 'jobState'>;
}

export interface BuildLogLine {
  id: string;
  phase?: string;
  message: string;
}

/** A build's whole kept log, as `/api/builds/<name>/log` answers it. */
export interface BuildLog {
  build: string;
  /** The job's state (`waiting`, `delayed`, `active`, `completed`, `failed`), or `unknown` once it was trimmed from the queue. */
  state: string;
  /** `built` / `failed` when the build ended, else undefined. */
  outcome?: 'built' | 'failed';
  /** Earlier lines were dropped by the history caps (`BuildQueue.event_history*`). */
  truncated: boolean;
  /** Seconds the log is still kept (`BuildQueue.event_history_ttl` after the build); undefined while it runs. */
  expiresIn?: number;
  lines: BuildLogLine[];
}

/**
 * Reads the build's history (every event kept) and its job: undefined when neither
 * exists (never built here, or expired). Messages pass the secret scrubber once more,
 * whatever the runner published.
 */
export async function readBuildLog(d: BuildLogDeps, build: string): Promise<BuildLog | undefined> {
  const [events, job, trimmed, ttl] = await Promise.all([
    d.bus.history(build),
    d.buildQueue.jobState(build),
    d.redis.hget(d.keys.buildEventsMeta(build), 'trimmed'),
    d.redis.ttl(d.keys.buildEvents(build)),
  ]);
  if (events.length === 0 && !job) return undefined;
  const lines = events.map(({ id, event }) => ({
    id,
    ...(event.phase ? { phase: event.phase } : {}),
    message: scrubUrl(event.message ?? ''),
  }));
  const last = events[events.length - 1]?.event.phase;
  const outcome = last === 'built' || last === 'failed' ? last : undefined;
  return {
    build,
    state: job?.state ?? 'unknown',
    ...(outcome ? { outcome } : {}),
    truncated: Boolean(trimmed),
    ...(ttl > 0 ? { expiresIn: ttl } : {}),
    lines,
  };
}

/** The log as plain text: the messages in order (each ends its line). */
export function buildLogText(log: BuildLog): string {
  const head = log.truncated
    ? '[earlier log lines were dropped: the log was over its size cap]\n'
    : '';
  return (
    head + log.lines.map((l) => (l.message.endsWith('\n') ? l.message : `${l.message}\n`)).join('')
  );
}
