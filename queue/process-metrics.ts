import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * How often the event-loop delay is sampled for `nodejs_eventloop_lag_*`, in ms.
 * prom-client's default (10 ms) wakes an idle process 100 times a second; once a
 * second still catches every stall longer than a second and costs nothing measurable.
 */
export const EVENT_LOOP_SAMPLE_MS = 1000;

/** prom-client's `process_*` and `nodejs_*` series on `registry` (one call per process). */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
}
