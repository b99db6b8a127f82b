import { z } from 'zod';

/** Phases a client of `/build` can see (upstream's vocabulary). */
export const PHASES = [
  'waiting',
  'fetching',
  'building',
  'pushing',
  'built',
  'launching',
  'ready',
  'failed',
  'unknown',
  'running',
] as const;
export type Phase = (typeof PHASES)[number];

/**
 * One event of the `/build` stream. repo2docker's JSON log lines are forwarded as they
 * are (extra fields such as `progress` pass through), so the schema is open.
 */
export const buildEventSchema = z
  .object({
    phase: z.string().optional(),
    message: z.string().optional(),
    imageName: z.string().optional(),
    status_code: z.number().int().optional(),
  })
  .passthrough();
export type BuildEvent = z.infer<typeof buildEventSchema>;

/** A build event as stored in a build's history: `id` orders it (Redis stream id). */
export interface StoredBuildEvent {
  id: string;
  event: BuildEvent;
  /** The event as JSON, as stored: relayed to every client without serialising again. */
  json?: string;
}

/** True for the events that end a build (`built`, `failed`). */
export function isTerminalBuildEvent(e: BuildEvent): boolean {
  return e.phase === 'built' || e.phase === 'failed';
}

/** A `failed` event; unlike upstream, it always carries a message. */
export function failedEvent(message: string, statusCode?: number): BuildEvent {
  const text = message.endsWith('\n') ? message : `${message}\n`;
  return statusCode === undefined
    ? { phase: 'failed', message: text }
    : { phase: 'failed', status_code: statusCode, message: text };
}

/** The messages of `built`: the image was built now, or found already built. */
export const BUILT_MESSAGES = {
  built: 'Built image, launching...\n',
  found: 'Found built image, launching...\n',
} as const;

/**
 * A `built` event: the image exists and a launch follows. The runner ends a build with
 * it; the api sends it before each launch, with what it launches in `fields`.
 */
export function builtEvent(
  imageName: string,
  message: string = BUILT_MESSAGES.built,
  fields: Record<string, unknown> = {},
): BuildEvent {
  return { phase: 'built', imageName, message, ...fields };
}
