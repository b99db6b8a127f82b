/**
 * One run of a build: the build name and the `requestedAt` of the job that runs it. A
 * job added again for the same image (after a failure, a forced rebuild) is a new run,
 * so nothing recorded about who followed an earlier run counts for it.
 */
export interface BuildRunId {
  buildName: string;
  requestedAt: number;
}
