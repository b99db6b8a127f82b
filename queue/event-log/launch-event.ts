import { z } from 'zod';
import { capsule, type Capsule } from './capsule.js';

export const LAUNCH_SCHEMA = 'binderhub.jupyter.org/launch';
export const LAUNCH_SCHEMA_VERSION = 6;

/**
 * Provider display names upstream's schema allows (schemas/launch.json), plus
 * `Software Heritage` (the `swhid` provider, which upstream does not have).
 */
export const LAUNCH_PROVIDERS = [
  'GitHub',
  'Gist',
  'GitLab',
  'Git',
  'Zenodo',
  'Figshare',
  'Hydroshare',
  'Dataverse',
  'CKAN',
  'Software Heritage',
] as const;

/**
 * The fields of a `binderhub.jupyter.org/launch` v6 event: a zod mirror of
 * `schemas/launch.json` (a test keeps the two in step). Like the JSON schema it
 * requires nothing and allows extra fields; the builder below always sets upstream's
 * seven, and binderhub-ts's timing fields when it has them (v6 readers ignore them).
 */
export const launchEventFieldsSchema = z
  .object({
    provider: z.enum(LAUNCH_PROVIDERS).optional(),
    spec: z.string().optional(),
    ref: z.string().optional(),
    status: z.enum(['success', 'failure']).optional(),
    build_token: z.boolean().optional(),
    origin: z.string().optional(),
    request_origin: z.string().optional(),
    build_needed: z.boolean().optional(),
    build_seconds: z.number().min(0).optional(),
    launch_seconds: z.number().min(0).optional(),
    total_seconds: z.number().min(0).optional(),
    pooled: z.boolean().optional(),
  })
  .loose();

/** binderhub-ts's additions to v6: how long the request took, and whether a pool served it. */
export interface LaunchTimingFields {
  /** The image did not exist: the request waited for a build (its own, or one running). */
  build_needed: boolean;
  /** Seconds the request waited for that build (0 when none was needed). */
  build_seconds: number;
  /** Seconds from `launching` to `ready`: the hub's spawn, or the claim of a pooled server. */
  launch_seconds: number;
  /** Seconds from the request to `ready`. */
  total_seconds: number;
  /** A warm pool's server was handed out (no spawn). */
  pooled: boolean;
}

export interface LaunchEventFields {
  /** Provider display name (`GitHub`, `Git`, …). */
  provider: string;
  /** The spec as requested (after the HEAD fallback, when it fired). */
  spec: string;
  /** The resolved ref. */
  ref: string;
  status: 'success' | 'failure';
  /** Whether the request carried a valid build token. */
  build_token: boolean;
  /** `BinderHub.normalized_origin`, else the request's Host. */
  origin: string;
  /** The request's Origin, else its Sec-Fetch-Site, else "". */
  request_origin: string;
}

export type LaunchEventCapsule = Capsule<LaunchEventFields & Partial<LaunchTimingFields>>;

/** Seconds, to the millisecond. */
const rounded = (s: number) => Math.max(0, Math.round(s * 1000) / 1000);

/** Builds the capsule of one launch event (pure; validate before writing). */
export function launchEvent(
  fields: LaunchEventFields & Partial<LaunchTimingFields>,
  at: Date = new Date(),
): LaunchEventCapsule {
  const timing: Partial<LaunchTimingFields> =
    fields.build_needed === undefined
      ? {}
      : {
          build_needed: fields.build_needed,
          build_seconds: rounded(fields.build_seconds ?? 0),
          launch_seconds: rounded(fields.launch_seconds ?? 0),
          total_seconds: rounded(fields.total_seconds ?? 0),
          pooled: fields.pooled ?? false,
        };
  const ordered: LaunchEventFields & Partial<LaunchTimingFields> = {
    provider: fields.provider,
    spec: fields.spec,
    ref: fields.ref,
    status: fields.status,
    build_token: fields.build_token,
    origin: fields.origin,
    request_origin: fields.request_origin,
    ...timing,
  };
  return capsule(LAUNCH_SCHEMA, LAUNCH_SCHEMA_VERSION, ordered, at);
}
