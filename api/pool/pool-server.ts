import type { LaunchResult } from '../launch/launcher.js';

/** What a claimed server's `ready` event carries (a launch's result, minus the attempt). */
export type ServerInfo = Omit<LaunchResult, 'attempt'>;

/** A warm server the pool started (or is starting), not yet claimed by anyone. */
export interface PoolServer {
  /** The hub user (named as a launch names it). */
  user: string;
  image: string;
  /** `<prefix>/<spec>` it was started for (metrics, the dashboard). */
  spec: string;
  /** The api replica that starts it; its lease must stay alive while the server starts. */
  owner: string;
  /** ms since epoch: when its start began (its age counts from here). */
  startedAt: number;
  /** ms since epoch: when it became ready (ready servers only). */
  readyAt?: number;
  /** Its url, token and user_options (ready servers only): known to Redis alone until claimed. */
  info?: ServerInfo;
}

export type PoolServerState = 'starting' | 'ready';

/** A pool server and whether it is still starting. */
export interface PoolEntry {
  state: PoolServerState;
  server: PoolServer;
}

/** Parses a stored record; undefined when it is not one (never trusted blindly). */
export function parsePoolServer(json: string | null | undefined): PoolServer | undefined {
  if (!json) return undefined;
  try {
    const v = JSON.parse(json) as Partial<PoolServer>;
    if (typeof v.user !== 'string' || typeof v.image !== 'string') return undefined;
    if (typeof v.startedAt !== 'number' || typeof v.owner !== 'string') return undefined;
    return { spec: '', ...v } as PoolServer;
  } catch {
    return undefined;
  }
}
