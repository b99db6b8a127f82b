import { readFileSync } from 'node:fs';
import { ConfigError } from '../../queue/config/index.js';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/**
 * The service account whose token this runner holds in a pod: the token's `sub` claim,
 * `system:serviceaccount:<namespace>:<name>` (undefined outside a pod, or for a token
 * that does not say).
 */
export function ownServiceAccount(tokenPath: string): ServiceAccountRef | undefined {
  let token: string;
  try {
    token = readFileSync(tokenPath, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(String(payload.sub));
    return m ? { namespace: m[1]!, name: m[2]! } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Build pods run untrusted code: they must never run as the runner's own account
 * (whose Role creates and deletes pods). `service_account` '' means the namespace's
 * `default`.
 */
export function checkBuildServiceAccount(
  build: { namespace: string; serviceAccount: string },
  own: ServiceAccountRef | undefined,
): void {
  const name = build.serviceAccount || 'default';
  if (own && own.namespace === build.namespace && own.name === name) {
    throw new ConfigError(
      `KubernetesBuildExecutor.service_account: build pods would run as this runner's own ` +
        `service account ${own.namespace}/${own.name}; give them another ` +
        `(the chart's buildServiceAccount)`,
    );
  }
}
