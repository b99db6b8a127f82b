import { FakeEventBus } from '../../queue/fake-event-bus.js';
import { eventBusContract } from './event-bus.contract.js';

// The event-bus contract against the in-memory bus.
eventBusContract('FakeEventBus (in memory)', (limits) => {
  const bus = new FakeEventBus(limits);
  return { bus, subscriptions: () => bus.subscriptionCount, close: () => bus.close() };
});
