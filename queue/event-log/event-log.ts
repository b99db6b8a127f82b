import type { Writable } from 'node:stream';
import type { EventLogConfig } from '../config/sections/operator.js';
import type { Logger } from '../logger.js';
import { buildEventFieldsSchema, type BuildEventCapsule } from './build-log-event.js';
import { fileSink, streamSink, type EventSink } from './json-lines-sink.js';
import {
  launchEvent,
  launchEventFieldsSchema,
  type LaunchEventCapsule,
  type LaunchEventFields,
  type LaunchTimingFields,
} from './launch-event.js';

/**
 * The event log: launch events (upstream's `binderhub.jupyter.org/launch` v6) and build
 * events, validated, as JSON lines to the configured sink. An event that does not
 * validate is logged and dropped; nothing here ever throws at a launch or a build.
 */
export class EventLog {
  constructor(
    private readonly sink: EventSink | null,
    private readonly log: Logger,
    private readonly opts: { buildEvents: boolean } = { buildEvents: true },
  ) {}

  get enabled(): boolean {
    return this.sink !== null;
  }

  /** Writes one launch event; returns the capsule written, or undefined. */
  emitLaunch(
    fields: LaunchEventFields & Partial<LaunchTimingFields>,
    at?: Date,
  ): LaunchEventCapsule | undefined {
    if (!this.sink) return undefined;
    const event = launchEvent(fields, at);
    const checked = launchEventFieldsSchema.safeParse(fields);
    if (!checked.success) {
      this.log.warn(
        { schema: event.schema, problems: checked.error.issues.map((i) => i.message) },
        'launch event does not match its schema; not written',
      );
      return undefined;
    }
    this.sink.write(event);
    return event;
  }

  /** Writes one build event (built with buildStartEvent / buildEndEvent). */
  emitBuild(event: BuildEventCapsule): void {
    if (!this.sink || !this.opts.buildEvents) return;
    const { timestamp: _t, schema: _s, version: _v, ...fields } = event;
    const checked = buildEventFieldsSchema.safeParse(fields);
    if (!checked.success) {
      this.log.warn(
        { schema: event.schema, problems: checked.error.issues.map((i) => i.message) },
        'build event does not match its schema; not written',
      );
      return;
    }
    this.sink.write(event);
  }

  close(): Promise<void> {
    return this.sink?.close() ?? Promise.resolve();
  }
}

/** The event log `EventLog.*` asks for (`stdout` may be replaced, e.g. by a test). */
export function createEventLog(opts: {
  config: EventLogConfig;
  log: Logger;
  stdout?: Writable;
}): EventLog {
  const log = opts.log.child({ component: 'event-log' });
  const onError = (err: Error) => log.error({ err: err.message }, 'event log sink failed');
  const { sink, path, build_events } = opts.config;
  let target: EventSink | null = null;
  if (sink === 'stdout') target = streamSink(opts.stdout ?? process.stdout, onError);
  if (sink === 'file') target = fileSink(path, onError);
  return new EventLog(target, log, { buildEvents: build_events });
}
