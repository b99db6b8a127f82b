import { describe, expect, it } from 'vitest';
import { isFinalPhase, LAUNCH_STEPS, stepFor } from '../../../../../api/ui/shared/build-phases.js';
import { failureHint } from '../../../../../api/ui/shared/failure-hint.js';

describe('stepFor', () => {
  it('maps phases (any case) to steps with a growing percentage', () => {
    const waiting = stepFor('waiting', null)!;
    const building = stepFor('BUILDING', waiting)!;
    expect(waiting.index).toBe(0);
    expect(building.index).toBe(2);
    expect(building.percent).toBeGreaterThan(waiting.percent);
    expect(stepFor('ready', building)!.percent).toBe(100);
    expect(LAUNCH_STEPS).toHaveLength(7);
  });
  it('ignores events without a known phase and never goes backwards', () => {
    const building = stepFor('building', null)!;
    expect(stepFor(undefined, building)).toBeNull();
    expect(stepFor('unknown', building)).toBeNull();
    expect(stepFor('failed', building)).toBeNull();
    expect(stepFor('fetching', building)).toBe(building);
  });
  it('knows the final phases', () => {
    expect(isFinalPhase('Ready')).toBe(true);
    expect(isFinalPhase('failed')).toBe(true);
    expect(isFinalPhase('built')).toBe(false);
  });
});

describe('failureHint', () => {
  it('explains refusals by status', () => {
    expect(failureHint({ status_code: 403, message: 'Invalid build token\n' })).toMatch(
      /Reload the page/,
    );
    expect(failureHint({ status_code: 429, message: 'Rate limit exceeded.' })).toMatch(
      /Too many launches/,
    );
    expect(failureHint({ status_code: 404 })).toMatch(/exist and are public/);
    expect(failureHint({ status_code: 403, message: 'Forbidden\n' })).toMatch(/log in again/);
    expect(
      failureHint({ status_code: 409, message: 'User a already has a running server.' }),
    ).toMatch(/Stop one on the hub/);
    expect(failureHint({ status_code: 503 })).toMatch(/not working right now/);
  });
  it('points build failures at the log', () => {
    expect(failureHint({ phase: 'failed', message: 'Build failed' })).toMatch(/build log/);
  });
});
