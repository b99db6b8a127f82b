/** An error with an HTTP status; on `/build` it becomes one `failed` event with `status_code`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
