/** Bad spec for a provider: the message is shown to the user as it is. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}
