import { describe, expect, it } from 'vitest';
import { PushedItems } from '../../../../api/builds/pushed-items.js';

describe('PushedItems', () => {
  it('hands out pushed items in order and ends after those pushed before end()', async () => {
    const items = new PushedItems<number>();
    items.push(1);
    setTimeout(() => {
      items.push(2);
      items.end();
      items.push(3);
    }, 5);
    const got: number[] = [];
    for await (const n of items) got.push(n);
    expect(got).toEqual([1, 2]);
  });

  it('throws what fail() was given, after the items pushed before it', async () => {
    const items = new PushedItems<string>();
    items.push('a');
    items.fail(new Error('gone'));
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const s of items) got.push(s);
      })(),
    ).rejects.toThrow('gone');
    expect(got).toEqual(['a']);
  });

  it('drained() waits until the consumer took every item and asked for the next', async () => {
    const items = new PushedItems<number>();
    const it = items[Symbol.asyncIterator]();
    items.push(1);
    items.push(2);
    let drained = false;
    void items.drained().then(() => (drained = true));
    expect((await it.next()).value).toBe(1);
    expect((await it.next()).value).toBe(2);
    await new Promise((r) => setTimeout(r, 1));
    expect(drained).toBe(false); // 2 is handed out, the consumer has not come back yet
    const next = it.next();
    await new Promise((r) => setTimeout(r, 1));
    expect(drained).toBe(true);
    items.end();
    expect((await next).done).toBe(true);
  });

  it('drained() rejects once the consumer stopped, so a producer waiting on it ends', async () => {
    const items = new PushedItems<number>();
    items.push(1);
    items.push(2);
    const waiting = items.drained();
    for await (const n of items) if (n === 1) break;
    await expect(waiting).rejects.toThrow('the consumer stopped');
    await expect(items.drained()).rejects.toThrow('the consumer stopped');
  });
});
