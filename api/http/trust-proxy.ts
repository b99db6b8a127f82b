import type { Config } from '../../queue/config/index.js';

/**
 * Express's `trust proxy` from `BinderHub.trust_proxy`. `true` means ONE hop (the last
 * `X-Forwarded-For` address is the client's), as upstream's tornado `xheaders` reads it —
 * not Express's `true`, which trusts every hop and so lets a client name its own address.
 */
export function trustProxySetting(
  value: Config['BinderHub']['trust_proxy'],
): boolean | number | string[] {
  if (value === true) return 1;
  if (Array.isArray(value)) return [...value];
  return value;
}
