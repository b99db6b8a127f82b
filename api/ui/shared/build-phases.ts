/** The steps a launch goes through, in order, as the launch page shows them. */
export const LAUNCH_STEPS = [
  { phase: 'waiting', label: 'Waiting for the build to start' },
  { phase: 'fetching', label: 'Fetching the repository' },
  { phase: 'building', label: 'Building the environment' },
  { phase: 'pushing', label: 'Pushing the image' },
  { phase: 'built', label: 'Image ready' },
  { phase: 'launching', label: 'Starting the server' },
  { phase: 'ready', label: 'Server ready' },
] as const;

export type StepPhase = (typeof LAUNCH_STEPS)[number]['phase'];

export interface StepState {
  /** Index into LAUNCH_STEPS of the current step. */
  index: number;
  label: string;
  /** 0–100, for a progress bar. */
  percent: number;
}

/**
 * The progress step for an event's phase (case-insensitive, as upstream's client), or
 * null for events that do not move the progress (no phase, `unknown`, `failed`). The
 * step never goes backwards: a late `fetching` after `building` keeps `building`.
 */
export function stepFor(phase: string | undefined, current: StepState | null): StepState | null {
  const wanted = phase?.toLowerCase();
  const index = LAUNCH_STEPS.findIndex((s) => s.phase === wanted);
  if (index < 0) return null;
  if (current && current.index > index) return current;
  const step = LAUNCH_STEPS[index]!;
  return {
    index,
    label: step.label,
    percent: Math.round(((index + 1) / LAUNCH_STEPS.length) * 100),
  };
}

/** Events after which the launch page stops listening. */
export function isFinalPhase(phase: string | undefined): boolean {
  const p = phase?.toLowerCase();
  return p === 'ready' || p === 'failed';
}
