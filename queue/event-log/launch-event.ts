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
 * requires nothing and allows extra fields; the builder below always sets all seven.
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
  })
  .loose();

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

export type LaunchEventCapsule = Capsule<LaunchEventFields>;

/** Builds the capsule of one launch event (pure; validate before writing). */
export function launchEvent(fields: LaunchEventFields, at: Date = new Date()): LaunchEventCapsule {
  const ordered: LaunchEventFields = {
    provider: fields.provider,
    spec: fields.spec,
    ref: fields.ref,
    status: fields.status,
    build_token: fields.build_token,
    origin: fields.origin,
    request_origin: fields.request_origin,
  };
  return capsule(LAUNCH_SCHEMA, LAUNCH_SCHEMA_VERSION, ordered, at);
}
