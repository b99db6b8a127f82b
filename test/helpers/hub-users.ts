/**
 * The shared JupyterHub's users as a test sees them (with the binder service token):
 * which servers run an image of the test's own image prefix, and their removal.
 */
import { stackInfo } from './stack.js';

export interface TestHubServer {
  user: string;
  image: string;
  ready: boolean;
}

interface UserModel {
  name: string;
  servers?: Record<string, { ready?: boolean; user_options?: { image?: string } }>;
}

const headers = () => ({ authorization: `token ${stackInfo().hubApiToken}` });

/** Servers (ready or not) whose image starts with `imagePrefix`. */
export async function hubServersOf(imagePrefix: string): Promise<TestHubServer[]> {
  const res = await fetch(`${stackInfo().hubApiUrl}users?state=active&limit=1000`, {
    headers: headers(),
  });
  const users = (await res.json()) as UserModel[];
  return users.flatMap((u) =>
    Object.values(u.servers ?? {}).flatMap((s) => {
      const image = s.user_options?.image ?? '';
      return image.startsWith(imagePrefix)
        ? [{ user: u.name, image, ready: s.ready === true }]
        : [];
    }),
  );
}

/** Whether the hub knows `user` at all. */
export async function hubUserExists(user: string): Promise<boolean> {
  const res = await fetch(`${stackInfo().hubApiUrl}users/${encodeURIComponent(user)}`, {
    headers: headers(),
  });
  await res.arrayBuffer();
  return res.status === 200;
}

/** Stops and deletes users (a pending spawn is stopped first; retried for up to a minute). */
export async function removeHubUsers(users: Iterable<string>): Promise<void> {
  const api = stackInfo().hubApiUrl;
  await Promise.all(
    [...users].map(async (user) => {
      const path = `${api}users/${encodeURIComponent(user)}`;
      for (let i = 0; i < 60; i++) {
        const res = await fetch(path, { method: 'DELETE', headers: headers() });
        await res.arrayBuffer();
        if (res.status === 204 || res.status === 404) return;
        await fetch(`${path}/server`, { method: 'DELETE', headers: headers() }).catch(() => null);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }),
  );
}

/** Removes every server of the test's image prefix (a test's last cleanup step). */
export async function removeServersOf(imagePrefix: string): Promise<void> {
  await removeHubUsers(new Set((await hubServersOf(imagePrefix)).map((s) => s.user)));
}
