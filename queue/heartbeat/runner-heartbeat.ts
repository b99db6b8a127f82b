import { z } from 'zod';

/**
 * A runner's heartbeat, stored as JSON in the `runners()` hash (queue/keys.ts) under the
 * runner's id: when it last beat (ms since epoch) and how many builds it was running.
 */
export const runnerHeartbeatSchema = z.object({
  at: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
});
export type RunnerHeartbeat = z.infer<typeof runnerHeartbeatSchema>;

export interface RunnerBeat extends RunnerHeartbeat {
  runner: string;
}

/** A runner counts as live while its last beat is newer than this many intervals. */
export const LIVE_INTERVALS = 3;

export function formatHeartbeat(beat: RunnerHeartbeat): string {
  return JSON.stringify({ at: beat.at, active: beat.active });
}

/** Parses an `HGETALL` of the runners hash; entries that are not heartbeats are skipped. */
export function parseHeartbeats(hash: Record<string, string>): RunnerBeat[] {
  const beats: RunnerBeat[] = [];
  for (const [runner, raw] of Object.entries(hash)) {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      continue;
    }
    const parsed = runnerHeartbeatSchema.safeParse(value);
    if (parsed.success) beats.push({ runner, ...parsed.data });
  }
  return beats.sort((a, b) => a.runner.localeCompare(b.runner));
}

/** True when the beat is newer than LIVE_INTERVALS heartbeat intervals. */
export function isLive(beat: RunnerHeartbeat, now: number, intervalSeconds: number): boolean {
  return now - beat.at < LIVE_INTERVALS * Math.max(1, intervalSeconds) * 1000;
}
