import { pino, type Logger } from 'pino';
import { scrubSecrets, scrubUrl } from './scrub-secrets.js';

export type { Logger } from 'pino';
export { scrubUrl } from './scrub-secrets.js';

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Destination stream (tests pass one to capture lines). */
  destination?: NodeJS.WritableStream;
}

/** The message pino would take from an error when the call gives none (scrubbed here). */
function errorMessage(first: unknown): string | undefined {
  if (first instanceof Error) return first.message;
  const err = (first as { err?: unknown } | null)?.err;
  return typeof first === 'object' && err instanceof Error ? err.message : undefined;
}

/** The arguments of a log call with every string scrubbed; `log.error(err)` as `{err}`. */
function scrubArgs(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  const fallback = rest.length === 0 ? errorMessage(first) : undefined;
  const all = [first instanceof Error ? { err: first } : first, ...rest];
  if (fallback !== undefined) all.push(fallback);
  return all.map((a) => (typeof a === 'string' ? scrubUrl(a) : a));
}

/**
 * A structured (pino) logger with secrets scrubbed at any depth (`scrubSecrets`): the
 * fields of each line, the bindings of child loggers, the message and its arguments.
 * Errors anywhere become `{type, message, stack}`, scrubbed too.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const root = pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'binderhub-ts',
      formatters: {
        log: (fields) => scrubSecrets(fields),
        bindings: (bindings) => scrubSecrets(bindings),
      },
      // Errors were serialised (and scrubbed) by the `log` formatter already.
      serializers: { err: (err: unknown) => err },
      hooks: {
        logMethod(args, method) {
          return method.apply(this, scrubArgs(args) as Parameters<typeof method>);
        },
      },
    },
    opts.destination ?? process.stdout,
  );
  // pino formats a child's bindings without the `bindings` formatter: scrub them here
  // (children inherit this method, so grandchildren too).
  const child = root.child;
  root.child = function (this: Logger, bindings, options) {
    return child.call(this, scrubSecrets(bindings), options);
  } as Logger['child'];
  return root;
}
