import { z } from 'zod';
import type { BuildJob } from '../build-job.js';
import { scrubUrl } from '../logger.js';
import { capsule, type Capsule } from './capsule.js';

export const BUILD_SCHEMA = 'binderhub-ts/build';
export const BUILD_SCHEMA_VERSION = 1;
export const BUILD_OUTCOMES = ['success', 'failure', 'cancelled'] as const;
export type BuildOutcome = (typeof BUILD_OUTCOMES)[number];

const MESSAGE_MAX = 500;

/** zod mirror of `schemas/build.json` (a test keeps the two in step). */
export const buildEventFieldsSchema = z
  .object({
    event: z.enum(['start', 'end']),
    build_name: z.string(),
    provider: z.string(),
    spec: z.string(),
    ref: z.string(),
    image: z.string(),
    repo_url: z.string(),
    trigger: z.enum(['launch', 'push']),
    runner: z.string(),
    queue_wait_seconds: z.number().min(0).optional(),
    outcome: z.enum(BUILD_OUTCOMES).optional(),
    duration_seconds: z.number().min(0).optional(),
    message: z.string().max(MESSAGE_MAX).optional(),
  })
  .strict();

export type BuildEventFields = z.infer<typeof buildEventFieldsSchema>;
export type BuildEventCapsule = Capsule<BuildEventFields>;

type JobFields = Pick<
  BuildJob,
  'buildName' | 'providerName' | 'spec' | 'ref' | 'image' | 'repoUrl' | 'trigger'
>;

function common(job: JobFields, runner: string) {
  return {
    build_name: job.buildName,
    provider: job.providerName,
    spec: scrubUrl(job.spec),
    ref: job.ref,
    image: job.image,
    repo_url: scrubUrl(job.repoUrl),
    trigger: job.trigger,
    runner,
  };
}

const seconds = (ms: number) => Math.max(0, Math.round(ms) / 1000);

/** A runner picked a build: `queueWaitMs` since the build was asked for. */
export function buildStartEvent(
  job: JobFields,
  info: { runner: string; queueWaitMs: number },
  at: Date = new Date(),
): BuildEventCapsule {
  return capsule(
    BUILD_SCHEMA,
    BUILD_SCHEMA_VERSION,
    { event: 'start', ...common(job, info.runner), queue_wait_seconds: seconds(info.queueWaitMs) },
    at,
  );
}

/** A build ended; `message` (failures) is shortened and scrubbed of credentials. */
export function buildEndEvent(
  job: JobFields,
  info: { runner: string; outcome: BuildOutcome; durationMs: number; message?: string },
  at: Date = new Date(),
): BuildEventCapsule {
  const fields: BuildEventFields = {
    event: 'end',
    ...common(job, info.runner),
    outcome: info.outcome,
    duration_seconds: seconds(info.durationMs),
  };
  if (info.message) fields.message = shorten(scrubUrl(info.message.trim()), MESSAGE_MAX);
  return capsule(BUILD_SCHEMA, BUILD_SCHEMA_VERSION, fields, at);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
