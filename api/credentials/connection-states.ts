import type { CredentialProvider } from '../../queue/credentials/job-token.js';
import type { UserCredentials } from './create-user-credentials.js';

/** What `/auth/connections` says about one site (never the token). */
export interface ConnectionState {
  provider: CredentialProvider;
  name: string;
  connected: boolean;
  login?: string;
  /** ISO time the access token expires (absent: it does not). */
  expires_at?: string;
  connected_at?: string;
}

export async function connectionStates(
  credentials: UserCredentials,
  user: string,
): Promise<ConnectionState[]> {
  const out: ConnectionState[] = [];
  for (const [provider, site] of credentials.sites) {
    const t = await credentials.store.get(user, provider);
    out.push({
      provider,
      name: site.name,
      connected: t !== undefined,
      ...(t?.login ? { login: t.login } : {}),
      ...(t?.expiresAt ? { expires_at: new Date(t.expiresAt).toISOString() } : {}),
      ...(t ? { connected_at: new Date(t.connectedAt).toISOString() } : {}),
    });
  }
  return out;
}
