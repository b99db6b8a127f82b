import type { Request } from 'express';
import { z } from 'zod';
import { HttpError } from '../http/http-error.js';
import { mediaType } from './github-delivery.js';
import { readRawBody } from './raw-body.js';

const MAX_BODY_BYTES = 64 * 1024;
const requestBody = z.object({ provider: z.string().min(1), spec: z.string().min(1) }).strict();

/**
 * The JSON body `{"provider": …, "spec": …}` of the admin APIs that name a spec
 * (`/api/prebuilds`, `/api/rebuilds`): 415, 413 or 400 (naming the problem) otherwise.
 */
export async function readSpecBody(req: Request): Promise<z.infer<typeof requestBody>> {
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    throw new HttpError(415, 'Content type must be application/json');
  }
  let json: unknown;
  try {
    json = JSON.parse((await readRawBody(req, MAX_BODY_BYTES)).toString('utf8'));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, `Body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = requestBody.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(body)';
  throw new HttpError(
    400,
    `Expected {"provider": "<gh, gl, git, …>", "spec": "<spec as in a Binder link>"}: ${where}: ${issue?.message ?? 'invalid'}`,
  );
}
