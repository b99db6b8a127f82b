import { HubRequestError, sleep, type HubClient } from '../launch/hub-client.js';

/** One running (or starting) server as the hub lists it. */
export interface HubServer {
  user: string;
  ready: boolean;
  image?: string;
}

interface HubUserModel {
  name?: string;
  servers?: Record<string, { ready?: boolean; user_options?: { image?: unknown } }>;
}

type Page = { items?: HubUserModel[]; _pagination?: { next?: { offset: number } | null } };

/** Every server of the hub's active users (paged: 200 users a request). */
export async function listHubServers(hub: HubClient, signal: AbortSignal): Promise<HubServer[]> {
  const out: HubServer[] = [];
  for (let offset = 0, pages = 0; pages < 500; pages++) {
    const res = await hub.request(
      'GET',
      `users?state=active&limit=200&offset=${offset}`,
      undefined,
      signal,
      { accept: 'application/jupyterhub-pagination+json' },
    );
    const page = (await res.json()) as Page | HubUserModel[];
    const items = Array.isArray(page) ? page : (page.items ?? []);
    for (const u of items) {
      for (const s of Object.values(u.servers ?? {})) {
        const image = s.user_options?.image;
        out.push({
          user: u.name ?? '',
          ready: s.ready === true,
          ...(typeof image === 'string' ? { image } : {}),
        });
      }
    }
    const next = Array.isArray(page) ? null : page._pagination?.next;
    if (!next) break;
    offset = next.offset;
  }
  return out;
}

/**
 * Stops `user`'s server and deletes the user. The hub refuses to delete a user whose
 * server is still starting or stopping: it is asked again once a second, up to `timeoutMs`.
 */
export async function removeHubUser(hub: HubClient, user: string, timeoutMs = 120_000) {
  const signal = AbortSignal.timeout(timeoutMs);
  const path = `users/${encodeURIComponent(user)}`;
  for (;;) {
    try {
      await hub.request('DELETE', path, undefined, signal);
      return;
    } catch (err) {
      if (err instanceof HubRequestError && err.status === 404) return;
      if (signal.aborted) throw err;
    }
    await hub.request('DELETE', `${path}/server`, undefined, signal).catch(() => undefined);
    await sleep(1000, signal);
  }
}

/** The claim starts the server's idle clock: the time it waited in the pool was no one's activity. */
export async function postActivity(hub: HubClient, user: string, at: Date, signal: AbortSignal) {
  const last_activity = at.toISOString();
  await hub.request(
    'POST',
    `users/${encodeURIComponent(user)}/activity`,
    { last_activity, servers: { '': { last_activity } } },
    signal,
  );
}
