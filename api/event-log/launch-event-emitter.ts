import type { EventLog, LaunchEventCapsule } from '../../queue/event-log/index.js';
import { scrubUrl } from '../../queue/index.js';

export interface LaunchEventInput {
  /** Provider display name (`ProviderEntry.name`: GitHub, Git, …). */
  providerName: string;
  /** The spec as requested (the HEAD-substituted one when the fallback fired). */
  spec: string;
  /** The resolved ref. */
  ref: string;
  /** Whether the request carried a valid build token. */
  buildToken: boolean;
  /** The request's headers (Express: `(name) => req.get(name)`). */
  header: (name: string) => string | undefined;
  /** How long it took, and whether a warm pool served it (binderhub-ts's added fields). */
  timing?: {
    buildNeeded: boolean;
    buildSeconds: number;
    launchSeconds: number;
    totalSeconds: number;
    pooled: boolean;
  };
}

/** `origin` and `request_origin` as upstream derives them from a request. */
export function launchOrigins(
  header: (name: string) => string | undefined,
  normalizedOrigin: string,
): { origin: string; request_origin: string } {
  return {
    origin: normalizedOrigin || header('host') || '',
    // Browsers send Origin on cross-origin calls and Sec-Fetch-Site on all; scripts
    // usually send neither, which leaves "".
    request_origin: header('origin') ?? header('sec-fetch-site') ?? '',
  };
}

/**
 * Writes the `binderhub.jupyter.org/launch` event of one successful launch (never for
 * `build_only`). `normalizedOrigin` is `BinderHub.normalized_origin`.
 */
export function emitLaunchEvent(
  eventLog: EventLog,
  normalizedOrigin: string,
  input: LaunchEventInput,
): LaunchEventCapsule | undefined {
  const t = input.timing;
  return eventLog.emitLaunch({
    provider: input.providerName,
    spec: scrubUrl(input.spec),
    ref: input.ref,
    status: 'success',
    build_token: input.buildToken,
    ...launchOrigins(input.header, normalizedOrigin),
    ...(t && {
      build_needed: t.buildNeeded,
      build_seconds: t.buildSeconds,
      launch_seconds: t.launchSeconds,
      total_seconds: t.totalSeconds,
      pooled: t.pooled,
    }),
  });
}
