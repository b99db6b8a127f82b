import { Counter, type Registry } from 'prom-client';

/** Metrics of the push webhooks, registered on the api's registry. */
export interface WebhookMetrics {
  /** Deliveries by event (push, create, ping, other) and outcome (accepted, ignored, …). */
  deliveries: Counter<'source' | 'event' | 'outcome'>;
  /** What the accepted pushes led to: queued, waiting, attached, exists, stale, failed, … */
  prebuilds: Counter<'outcome'>;
}

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): Counter<L> {
  // The same registry may back several apps (tests): reuse what is registered.
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function webhookMetrics(registry: Registry): WebhookMetrics {
  return {
    deliveries: counter(
      registry,
      'binderhub_ts_webhook_deliveries_total',
      'Webhook deliveries by source, event and outcome',
      ['source', 'event', 'outcome'],
    ),
    prebuilds: counter(
      registry,
      'binderhub_ts_prebuilds_total',
      'Pre-builds asked for by push webhooks, by outcome',
      ['outcome'],
    ),
  };
}
