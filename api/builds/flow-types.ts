import type { BuildEvent, LiveBatch } from '../../queue/index.js';
import type { AppDeps } from '../app-deps.js';

export interface FlowRequest {
  prefix: string;
  /** Raw (percent-encoded) spec, trailing `/` removed. */
  spec: string;
  buildOnly: boolean;
  /** A build-history id the client already has (EventSource Last-Event-ID). */
  resumeAfter?: string;
  clientIp: string;
  /** `binder_launch_host`: badge_base_url or `<proto>://<host><base_url>`. */
  launchHost: string;
  /** The request carried a valid build token (for the launch event). */
  buildToken: boolean;
  /** The request's headers, for the launch event's origins. */
  header: (name: string) => string | undefined;
  /**
   * `?fallback=last-good`: when the commit is not built yet but an earlier commit of the
   * same ref is, launch that one now (the build goes on). Absent: wait for the build.
   */
  fallback?: 'last-good';
  /** The logged-in hub user (`BinderHub.auth_enabled`): the launch starts this user's server. */
  user?: string;
}

export interface FlowSink {
  send(event: BuildEvent, id?: string, json?: string): void;
  /** Sends a batch of live events (none of them terminal), as `send` would one by one. */
  sendBatch?(batch: LiveBatch): void;
  /** Resolves once the client took what was sent (paces the replay of a build's log). */
  whenWritable?(): Promise<void>;
  readonly signal: AbortSignal;
}

export type FlowDeps = Pick<
  AppDeps,
  | 'config'
  | 'log'
  | 'metrics'
  | 'providers'
  | 'registry'
  | 'buildQueue'
  | 'bus'
  | 'followers'
  | 'lastGood'
  | 'launcher'
  | 'quota'
  | 'eventLog'
  | 'pool'
  | 'imageUse'
  | 'userCredentials'
  | 'redis'
>;

/** How long a request's steps took, for its launch event. */
export interface LaunchTiming {
  /** `performance.now()` when the request's flow began. */
  startedAt: number;
  /** The image did not exist: the request waited for a build (its own or one running). */
  buildNeeded: boolean;
  /** Milliseconds the request waited for that build (0 without one). */
  buildMs: number;
}
