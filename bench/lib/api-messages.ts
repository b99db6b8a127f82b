import type { ConfigInput } from '../../queue/config/index.js';

/** Config sections passed to the harness (each merged over the harness defaults). */
export type ConfigSections = { [K in keyof ConfigInput]?: Partial<NonNullable<ConfigInput[K]>> };

/** How `bench/lib/api-server.ts` should start (its argv[2], JSON). */
export interface ApiServerOptions {
  config?: ConfigSections;
  /** Also serve the app with InstantLauncher (launch-overhead). */
  instantLauncher?: boolean;
  /** …and a third app whose registry client has no cache (every lookup a manifest GET). */
  uncachedRegistry?: boolean;
}

/** Sent once by the child when it listens. */
export interface ReadyMessage {
  type: 'ready';
  /** The harness's api (real JupyterHub launcher). */
  url: string;
  /** Same deps, InstantLauncher (when asked for). */
  instantUrl?: string;
  /** Same, registry cache off (when asked for). */
  uncachedUrl?: string;
  keyPrefix: string;
  queueName: string;
  imagePrefix: string;
  /** Which api code runs: `compiled dist/` or `sources through tsx …`. */
  code: string;
}

export type Request =
  | { id: number; type: 'stats' }
  | { id: number; type: 'plan'; prefix: string; spec: string; ref: string }
  | { id: number; type: 'close' };

export interface Stats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Builds the api's event bus holds a Redis subscription for. */
  subscriptions: number;
  /** Launches the InstantLauncher saw. */
  launches: number;
  /** Open `/build` event streams (the api's own gauge). */
  openStreams: number;
}

export interface Plan {
  image: string;
  buildName: string;
}

export type Reply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
