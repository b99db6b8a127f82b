/** The credential lines (`username=…`, `password=…`, real newlines) for the one host. */
export const CREDENTIALS_ENV = 'BINDERHUB_GIT_CREDENTIALS';
/** The `host=` value (host, plus `:port` when not the default) the credentials are for. */
export const CREDENTIALS_HOST_ENV = 'BINDERHUB_GIT_CREDENTIALS_HOST';

/**
 * A git credential helper (a `!` shell helper, POSIX sh) that answers `get` only when
 * git asks for the one host named in $BINDERHUB_GIT_CREDENTIALS_HOST; every other host,
 * and every other operation, gets nothing. git also calls it only for that host
 * (`credential.<url>.helper`): the host check holds even if that matching were wider.
 */
export const CREDENTIAL_HELPER = [
  '!f() {',
  'test "$1" = get || return 0;',
  'h=;',
  'while IFS= read -r l; do case "$l" in host=*) h="${l#host=}";; esac; done;',
  `test -n "$h" && test "$h" = "$${CREDENTIALS_HOST_ENV}" && printf '%s\\n' "$${CREDENTIALS_ENV}";`,
  ':;',
  '}; f',
].join(' ');

/**
 * Credential lines from the `GIT_CREDENTIAL_ENV` format of upstream's `git_credentials`
 * (`username=…\npassword=…` with a literal backslash-n) to real lines.
 */
export function credentialLines(gitCredentials: string): string {
  return gitCredentials.replace(/\\n/g, '\n').trim();
}
