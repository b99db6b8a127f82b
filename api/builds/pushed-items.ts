/**
 * Items pushed by callbacks (a subscription's), taken by one async iterator in order.
 * `end()` ends the iteration after the items pushed before it; `fail(err)` makes it throw
 * `err` after them. `drained()` paces the producer: it resolves once the consumer took
 * everything pushed so far, and rejects once the consumer stopped.
 */
export class PushedItems<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: { err: unknown } | undefined;
  private stopped = false;
  /** An item was handed out and the consumer has not asked for the next yet. */
  private taking = false;
  private wake: (() => void) | undefined;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(err: unknown): void {
    if (this.ended) return;
    this.failure = { err };
    this.end();
  }

  drained(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the consumer stopped'));
    if (this.items.length === 0 && !this.taking) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    try {
      for (;;) {
        if (this.items.length > 0) {
          this.taking = true;
          yield this.items.shift()!;
          this.taking = false;
          continue;
        }
        for (const w of this.waiters.splice(0)) w.resolve();
        if (this.failure) throw this.failure.err;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.stopped = true;
      this.ended = true;
      const err = new Error('the consumer stopped');
      for (const w of this.waiters.splice(0)) w.reject(err);
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
