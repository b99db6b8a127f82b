import { describe, expect, it } from 'vitest';
import { LiveBatch, liveBatchWindowMs } from '../../../queue/index.js';

describe('live batches', () => {
  it('batch a build’s events longer the more followers it has, up to 15 ms', () => {
    expect(liveBatchWindowMs(1)).toBeCloseTo(0.015);
    expect(liveBatchWindowMs(100)).toBeCloseTo(1.5);
    expect(liveBatchWindowMs(1000)).toBe(15);
    expect(liveBatchWindowMs(10_000)).toBe(15);
    expect(liveBatchWindowMs(10, 100, 20)).toBe(100);
  });

  it('render once for all followers, and find the event that ends the build', () => {
    const batch = new LiveBatch();
    for (const phase of ['building', 'built', 'building']) {
      batch.events.push({ id: `1-${batch.events.length}`, event: { phase } });
    }
    let renders = 0;
    const render = (events: readonly unknown[]) => (renders++, events.length);
    expect([batch.rendered(render), batch.rendered(render)]).toEqual([3, 3]);
    expect(renders).toBe(1);
    expect(batch.terminalAt()).toBe(1);
    expect([batch.firstId, batch.lastId]).toEqual(['1-0', '1-2']);
  });
});
