import type { Request } from 'express';
import { failedEvent, type BuildEvent, type Logger } from '../../queue/index.js';
import { clientAddress, clientKey } from '../http/client-address.js';
import { thisBinder } from './count-request.js';
import type { StreamSlots } from './redis-stream-slots.js';

const NO_SLOT = { release: () => undefined };

/**
 * A slot for one more event stream of this client, or the `failed` event (429) that
 * refuses it. When Redis cannot count, the stream is let through (and logged).
 */
export async function holdStreamSlot(
  slots: StreamSlots,
  req: Request,
  log: Logger,
): Promise<{ release: () => void } | { refused: BuildEvent }> {
  if (!slots.enabled) return NO_SLOT;
  const address = clientAddress(req);
  try {
    const slot = await slots.acquire(clientKey(address));
    if (!('full' in slot)) return slot;
    log.info({ ip: address, open: slot.open }, 'too many event streams');
    return {
      refused: failedEvent(
        `Too many open event streams: ${thisBinder(req)} allows ${slot.max} at once from one address, and ${slot.open} are open. Close some (other tabs launching) and try again.`,
        429,
      ),
    };
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'event streams not counted: Redis error');
    return NO_SLOT;
  }
}
