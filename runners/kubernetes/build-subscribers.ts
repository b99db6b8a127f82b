import type { BuildEvent } from '../../queue/index.js';
import type { EmitEvent } from '../build-backend.js';
import { BuildFailedError } from '../build-failed-error.js';

interface Subscriber {
  emit: EmitEvent;
  /** Emits in order: each waits for the previous one. */
  chain: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
  detach(): void;
}

/**
 * The runs waiting on one build pod in this process. Each gets every event, in order,
 * through its own emit; all learn the outcome together. One log stream feeds them all.
 */
export class BuildSubscribers {
  private subs = new Set<Subscriber>();
  /** Recent events, replayed to a run that joins late (bounded). */
  private recent: Array<{ event: BuildEvent; position: number | undefined }> = [];

  constructor(
    private readonly keep: number,
    private readonly onEmitError: (err: Error) => void,
    /** Called when the last subscriber leaves before the end (cancelled). */
    private readonly onEmpty: () => void,
  ) {}

  get size(): number {
    return this.subs.size;
  }

  add(emit: EmitEvent, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.subs.delete(sub);
        reject(
          new BuildFailedError(
            'Stopped following the build; its pod keeps running and a runner will attach to it again.',
            'cancelled',
          ),
        );
        if (this.subs.size === 0) this.onEmpty();
      };
      const sub: Subscriber = {
        emit,
        chain: Promise.resolve(),
        resolve,
        reject,
        detach: () => signal.removeEventListener('abort', onAbort),
      };
      this.subs.add(sub);
      for (const r of this.recent) this.send(sub, r.event, r.position);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** `position` orders the event in the build (see EmitEvent): repeats of it are no-ops. */
  broadcast(event: BuildEvent, position?: number): void {
    this.recent.push({ event, position });
    if (this.recent.length > this.keep) this.recent.shift();
    for (const sub of this.subs) this.send(sub, event, position);
  }

  /** Every subscriber's events are out, then each resolves (or rejects with `err`). */
  async settle(err?: Error): Promise<void> {
    const subs = [...this.subs];
    this.subs.clear();
    await Promise.all(
      subs.map(async (sub) => {
        sub.detach();
        await sub.chain;
        if (err) sub.reject(err);
        else sub.resolve();
      }),
    );
  }

  private send(sub: Subscriber, event: BuildEvent, position: number | undefined): void {
    sub.chain = sub.chain
      .then(() => sub.emit(event, position))
      .catch((err: Error) => this.onEmitError(err));
  }
}
