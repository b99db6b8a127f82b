import type { Logger } from '../../queue/index.js';
import { decidePrebuild, type PrebuildRules } from './decide-prebuild.js';
import type { DeliveryIds } from './delivery-ids.js';
import type { PrebuildScheduler } from './prebuild-scheduler.js';
import type { PushLog } from './push-log.js';
import type { PushNotice } from './push-notice.js';

/** The HTTP answer to a delivery: status, JSON body, and the outcome label for metrics. */
export interface HookAnswer {
  status: number;
  outcome: 'accepted' | 'ignored' | 'duplicate' | 'pong';
  body: Record<string, unknown>;
}

export interface IntakeDeps {
  /** `github` or `gitlab`: namespaces delivery ids and labels metrics. */
  source: string;
  rules: PrebuildRules;
  deliveries: DeliveryIds;
  scheduler: PrebuildScheduler;
  pushLog: PushLog;
  log: Logger;
}

export function ignored(reason: string): HookAnswer {
  return { status: 202, outcome: 'ignored', body: { status: 202, outcome: 'ignored', reason } };
}

/**
 * The quick part of a push, shared by every host: decide, claim the delivery id (a
 * redelivery changes nothing), hand the rest to the scheduler, answer 202.
 */
export async function takePush(d: IntakeDeps, n: PushNotice): Promise<HookAnswer> {
  const decision = decidePrebuild(n, d.rules);
  if (!decision.build) {
    d.pushLog
      .add(n.provider, n.repo, {
        at: n.receivedAt,
        event: n.event,
        deliveryId: n.deliveryId,
        ref: n.ref,
        sha: n.sha,
        outcome: 'ignored',
        reason: decision.reason,
      })
      .catch((err: unknown) => d.log.debug({ err }, 'push log write failed'));
    return ignored(decision.reason);
  }
  if (!(await d.deliveries.claim(d.source, n.deliveryId))) {
    const body = { status: 200, outcome: 'duplicate', reason: 'this delivery was received before' };
    return { status: 200, outcome: 'duplicate', body };
  }
  d.scheduler.schedule(n, () => d.deliveries.release(d.source, n.deliveryId));
  return {
    status: 202,
    outcome: 'accepted',
    body: { status: 202, outcome: 'accepted', repo: n.repo, ref: n.ref, sha: n.sha },
  };
}
