/**
 * Runs a command-line tool (helm, kubectl, k8s-validate) without blocking the test
 * worker: asynchronously, with optional standard input, collecting its output.
 */
import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number | null;
  out: string;
  err: string;
}

export function runTool(
  cmd: string,
  args: readonly string[],
  o: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: o.timeoutMs ?? 120_000,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
  });
}
