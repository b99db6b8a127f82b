import { buildJobSchema, scrubUrl } from '../../queue/index.js';

/**
 * What the dashboard shows as a job's data: the build job (image, trigger, provider,
 * spec, resolved ref) with the repository URL scrubbed of credentials and the request
 * time readable, and where its whole log is read (`/logs/<build>`). Anything that is not a build job is shown as it is.
 */
export function formatJobData(data: unknown, logBaseUrl?: string): unknown {
  const parsed = buildJobSchema.safeParse(data);
  if (!parsed.success) return data;
  const job = parsed.data;
  return {
    image: job.image,
    trigger: job.trigger,
    provider: `${job.providerName} (${job.provider})`,
    spec: scrubUrl(job.spec),
    resolvedSpec: scrubUrl(job.resolvedSpec),
    ref: job.ref,
    repoUrl: scrubUrl(job.repoUrl),
    buildName: job.buildName,
    requestedAt: new Date(job.requestedAt).toISOString(),
    ...(job.rebuild ? { rebuild: true } : {}),
    ...(logBaseUrl ? { buildLog: `${logBaseUrl}${job.buildName}` } : {}),
  };
}
