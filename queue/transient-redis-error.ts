/**
 * Error replies Redis gives while it cannot serve for a moment: loading its data after
 * a restart, a busy script, a replica without its primary, a cluster slot moving.
 */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN|NOSCRIPT)\b/;

/**
 * True when a failed Redis command may succeed if sent again later: no connection, a
 * timeout, ioredis giving up on reconnecting ("max retries per request"), or one of the
 * transient error replies. A reply error such as WRONGTYPE is a lasting fault.
 */
export function isTransientRedisError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name !== 'ReplyError') return true;
  return TRANSIENT_REPLY.test(err.message);
}
