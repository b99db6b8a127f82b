import { HttpError } from '../http/http-error.js';

/** Build names as the queue makes them (`buildJobSchema`): `build-` then [a-z0-9-]. */
const BUILD_NAME = /^build-[a-z0-9-]+$/;
/** Upstream's build names are pod names: at most 63 characters (a little slack here). */
const MAX_LENGTH = 128;

/** The build name of a request, or a 400 saying what is wrong with it. */
export function buildNameParam(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new HttpError(400, 'Missing build name');
  if (raw.length > MAX_LENGTH) {
    throw new HttpError(400, `Build name too long: at most ${MAX_LENGTH} characters`);
  }
  if (!BUILD_NAME.test(raw)) {
    throw new HttpError(
      400,
      'Bad build name: it starts with "build-" followed by lower-case letters, digits and "-" (as in the dashboard and /api/builds)',
    );
  }
  return raw;
}
