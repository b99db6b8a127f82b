import type { DeliveryIds } from './delivery-ids.js';
import type { PrebuildScheduler } from './prebuild-scheduler.js';
import type { PushLog } from './push-log.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** The pieces behind the push webhooks (`createPrebuilds` builds them). */
export interface Prebuilds {
  scheduler: PrebuildScheduler;
  pushLog: PushLog;
  /** Delivery ids seen, per webhook (each with its `delivery_ttl`). */
  deliveries: { github: DeliveryIds; gitlab: DeliveryIds };
  metrics: WebhookMetrics;
}
