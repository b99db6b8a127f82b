export * from './build-log-event.js';
export * from './capsule.js';
export * from './event-log.js';
export * from './json-lines-sink.js';
export * from './launch-event.js';
