import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths of secrets that must never reach a log line. */
const REDACT = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'hub_api_token',
  '*.hub_api_token',
  'access_token',
  '*.access_token',
];

/** Tokens in URLs (`?token=…`, `access_token=…`, `user:pass@`) are replaced by `[secret]`. */
export function scrubUrl(text: string): string {
  return text
    .replace(
      /([?&](?:token|access_token|private_token|build_token|client_secret)=)[^&\s"]+/gi,
      '$1[secret]',
    )
    .replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1[secret]@');
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Destination stream (tests pass one to capture lines). */
  destination?: NodeJS.WritableStream;
}

/** A structured (pino) logger with secrets redacted. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'binderhub-ts',
      redact: { paths: REDACT, censor: '[secret]' },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubUrl(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    opts.destination ?? process.stdout,
  );
}
