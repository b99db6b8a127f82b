/** The credential lines (`username=…`, `password=…`, real newlines) for the one host. */
export const CREDENTIALS_ENV = 'BINDERHUB_GIT_CREDENTIALS';
/** The `host=` value (host, plus `:port` when not the default) the credentials are for. */
export const CREDENTIALS_HOST_ENV = 'BINDERHUB_GIT_CREDENTIALS_HOST';
/**
 * A file holding the credential lines instead of CREDENTIALS_ENV (a build pod mounts them
 * from a Secret, so they are not in its spec); when set, it wins.
 */
export const CREDENTIALS_FILE_ENV = 'BINDERHUB_GIT_CREDENTIALS_FILE';

/**
 * A git credential helper (a `!` shell helper, POSIX sh) that answers `get` only when
 * git asks for the one host named in $BINDERHUB_GIT_CREDENTIALS_HOST, with the lines of
 * the file $BINDERHUB_GIT_CREDENTIALS_FILE if set, else of $BINDERHUB_GIT_CREDENTIALS;
 * every other host, and every other operation, gets nothing. git also calls it only for that host
 * (`credential.<url>.helper`): the host check holds even if that matching were wider.
 */
export const CREDENTIAL_HELPER = [
  '!f() {',
  'test "$1" = get || return 0;',
  'h=;',
  'while IFS= read -r l; do case "$l" in host=*) h="${l#host=}";; esac; done;',
  `test -n "$h" && test "$h" = "$${CREDENTIALS_HOST_ENV}" || return 0;`,
  `if test -n "$${CREDENTIALS_FILE_ENV}"; then cat "$${CREDENTIALS_FILE_ENV}";`,
  `else printf '%s\\n' "$${CREDENTIALS_ENV}"; fi;`,
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
