/**
 * The HTTP status of a failed Kubernetes API call: `ApiException.code` from the
 * generated clients, `statusCode` from Watch, or `code` of a Status object.
 */
export function kubeStatusCode(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** The `message` of the Status the API server answered with, else the error's own message. */
export function kubeErrorMessage(err: unknown): string {
  const body = (err as { body?: unknown } | undefined)?.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message) return message;
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
