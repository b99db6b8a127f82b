/** One dependency checked by `/health`. Extra fields are reported beside `service` and `ok`. */
export interface HealthCheck {
  service: string;
  /** A failure of this check is reported but does not make the whole answer not ok. */
  ignoreFailure?: boolean;
  run(signal: AbortSignal): Promise<{ ok: boolean; [detail: string]: unknown }>;
}

export interface HealthReport {
  ok: boolean;
  checks: Array<{ service: string; ok: boolean; [detail: string]: unknown }>;
}

/**
 * Runs every check concurrently, each bounded by a timeout; a check that throws is
 * not ok. Results are cached for `cacheMs`, so `/health` stays cheap under probes.
 */
export class HealthChecker {
  private cached: { at: number; report: Promise<HealthReport> } | undefined;

  constructor(
    private readonly checks: readonly HealthCheck[],
    private readonly opts: { cacheMs: number; timeoutMs: number; now?: () => number },
  ) {}

  report(): Promise<HealthReport> {
    const now = (this.opts.now ?? Date.now)();
    if (this.cached && now - this.cached.at < this.opts.cacheMs) return this.cached.report;
    const report = this.runAll();
    this.cached = { at: now, report };
    return report;
  }

  private async runAll(): Promise<HealthReport> {
    const checks: HealthReport['checks'] = await Promise.all(
      this.checks.map(async (c): Promise<HealthReport['checks'][number]> => {
        const signal = AbortSignal.timeout(this.opts.timeoutMs);
        try {
          const result = await c.run(signal);
          return {
            service: c.service,
            ...result,
            ...(c.ignoreFailure ? { _ignore_failure: true } : {}),
          };
        } catch (err) {
          return { service: c.service, ok: false, error: (err as Error).message };
        }
      }),
    );
    const ok = checks.every((c) => c.ok || c._ignore_failure === true);
    return { ok, checks };
  }
}
