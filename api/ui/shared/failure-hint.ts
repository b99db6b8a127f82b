/** A `failed` event as the launch page receives it. */
export interface FailedEvent {
  phase?: string;
  message?: string;
  status_code?: number;
}

/** What the user can do about a failure, by the status the server gave it. */
export function failureHint(event: FailedEvent): string {
  const status = event.status_code;
  const message = event.message ?? '';
  if (status === 403 && /build token/i.test(message)) {
    return 'The permission this page got to start a build has expired or belongs to another site. Reload the page to get a new one.';
  }
  if (status === 403 && /^Forbidden/.test(message)) {
    return 'Your login has ended. Reload the page to log in again.';
  }
  if (status === 403) return 'This Binder does not accept launches from your network.';
  if (status === 409) {
    return 'You already run as many servers as you may. Stop one on the hub’s home page, then try again.';
  }
  if (status === 429) {
    return 'Too many launches came from your network recently. Wait for the time given above, then reload the page.';
  }
  if (status === 404)
    return 'Check that the repository and the ref (branch, tag or commit) exist and are public.';
  if (status === 400) return 'The link is malformed. Make a new one on the home page.';
  if (status !== undefined && status >= 500) {
    return 'Something this Binder depends on is not working right now. Try again in a few minutes; if it keeps failing, tell the operators.';
  }
  return "The repository's environment could not be built or started. The build log shows the error; it is usually in the repository's configuration files (requirements.txt, environment.yml, Dockerfile, …).";
}
