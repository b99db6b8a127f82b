import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';

/** Where event capsules go: one JSON object per line. */
export interface EventSink {
  write(record: object): void;
  close(): Promise<void>;
}

/**
 * Writes each record as one JSON line, in one `write` call (so lines from several
 * processes appending to one file do not interleave). Write errors are reported once
 * through `onError` and never thrown at the caller: the event log must not break a launch.
 */
export class JsonLinesSink implements EventSink {
  private failed = false;

  constructor(
    private readonly stream: Writable,
    private readonly opts: { ownsStream: boolean; onError?: (err: Error) => void },
  ) {
    stream.on('error', (err: Error) => this.fail(err));
  }

  write(record: object): void {
    if (this.failed) return;
    try {
      this.stream.write(`${JSON.stringify(record)}\n`);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  close(): Promise<void> {
    if (!this.opts.ownsStream || this.failed) return Promise.resolve();
    return new Promise((resolve) => this.stream.end(resolve));
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.opts.onError?.(err);
  }
}

/** A sink appending to `path` (its folder is created if missing). */
export function fileSink(path: string, onError?: (err: Error) => void): JsonLinesSink {
  mkdirSync(dirname(path), { recursive: true });
  return new JsonLinesSink(createWriteStream(path, { flags: 'a' }), { ownsStream: true, onError });
}

/** A sink on a stream the caller owns (stdout). */
export function streamSink(stream: Writable, onError?: (err: Error) => void): JsonLinesSink {
  return new JsonLinesSink(stream, { ownsStream: false, onError });
}
