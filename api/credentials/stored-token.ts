import { z } from 'zod';

/** A user's token for one site, as kept (sealed) in Redis. */
export const storedTokenSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** ms since epoch; absent for tokens that do not expire (a GitHub OAuth app's). */
  expiresAt: z.number().int().optional(),
  /** ms since epoch when the refresh token expires (GitHub Apps say so). */
  refreshExpiresAt: z.number().int().optional(),
  scope: z.string().optional(),
  /** The account's name at the site (`login`, `username`). */
  login: z.string().optional(),
  connectedAt: z.number().int(),
});
export type StoredToken = z.infer<typeof storedTokenSchema>;

/** The token answer of an OAuth token endpoint (RFC 6749 §5.1, plus GitHub's `refresh_token_expires_in`). */
export interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  [extra: string]: unknown;
}

/** What to keep of a token answer received at `now`. */
export function storedTokenOf(answer: TokenAnswer, now: number, login?: string): StoredToken {
  const refreshIn = Number(answer.refresh_token_expires_in);
  return {
    accessToken: answer.access_token,
    ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
    ...(answer.expires_in ? { expiresAt: now + answer.expires_in * 1000 } : {}),
    ...(Number.isFinite(refreshIn) && refreshIn > 0
      ? { refreshExpiresAt: now + refreshIn * 1000 }
      : {}),
    ...(answer.scope ? { scope: answer.scope } : {}),
    ...(login ? { login } : {}),
    connectedAt: now,
  };
}
