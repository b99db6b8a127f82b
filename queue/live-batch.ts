import { isTerminalBuildEvent, type StoredBuildEvent } from './build-event.js';

type Render<T> = (events: readonly StoredBuildEvent[]) => T;

/**
 * Live events of one build that arrived together (one read of the pub/sub connection),
 * in order, handed to every follower of the build as one object: what followers do with
 * them alike (the SSE frames they are sent) is computed once, not once per follower.
 */
export class LiveBatch {
  readonly events: StoredBuildEvent[] = [];
  private terminal: number | undefined;
  private readonly renders = new Map<Render<unknown>, unknown>();

  get firstId(): string {
    return this.events[0]!.id;
  }

  get lastId(): string {
    return this.events[this.events.length - 1]!.id;
  }

  /** Index of the first event that ends the build (`built`, `failed`); -1 when none. */
  terminalAt(): number {
    return (this.terminal ??= this.events.findIndex((e) => isTerminalBuildEvent(e.event)));
  }

  /** `render(events)`, computed by the first follower that asks and shared by the rest. */
  rendered<T>(render: Render<T>): T {
    if (!this.renders.has(render)) this.renders.set(render, render(this.events));
    return this.renders.get(render) as T;
  }
}
