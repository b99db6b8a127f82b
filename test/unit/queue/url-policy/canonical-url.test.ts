import { describe, expect, it } from 'vitest';
import { canonicalRepoUrl, redactedUrl } from '../../../../queue/url-policy/canonical-url.js';
import { SpecError } from '../../../../queue/repo-specs/spec-error.js';

const ALL = ['http', 'https', 'git', 'ssh'];

// A URL is accepted only when the WHATWG parser (this guard) and git/curl (the fetcher)
// cannot read it differently: its raw form must be its canonical serialisation.
describe('canonical repository URLs', () => {
  it.each([
    ['http://8.8.8.8\\@127.0.0.1/x.git', /"\\" is not allowed in a repository URL/],
    ['http://example.com/a b.git', /" " is not allowed|\\u0020/],
    ['http://example.com/a\tb.git', /\\u0009/],
    ['http://exämple.com/x.git', /"ä" is not allowed/],
    ['http://example.com/x|y.git', /"\|" is not allowed/],
    ['http://example.com/%zz.git', /percent-encoded byte/],
    ['http://example.com/a/../b.git', /canonical form, http:\/\/example.com\/b.git/],
    ['http://example.com/a/%2e%2e/b.git', /canonical form, http:\/\/example.com\/b.git/],
    ['HTTP://example.com/x.git', /canonical form, http:\/\/example.com\/x.git/],
    ['http://Example.com/x.git', /canonical form, http:\/\/example.com\/x.git/],
    ['http://example.com:80/x.git', /canonical form, http:\/\/example.com\/x.git/],
    ['http://2130706433/x.git', /canonical form, http:\/\/127.0.0.1\/x.git/],
    ['http://0x7f.1/x.git', /canonical form, http:\/\/127.0.0.1\/x.git/],
    ['http://0177.0.0.1/x.git', /canonical form, http:\/\/127.0.0.1\/x.git/],
    ['http://[::ffff:127.0.0.1]/x.git', /canonical form, http:\/\/\[::ffff:7f00:1\]\/x.git/],
    ['https://example.com', /canonical form, https:\/\/example.com\//],
    ['https://example.com/x.git#main', /no #fragment/],
    ['git://ex%61mple.com/x.git', /no valid host/],
    ['ssh://git@host!/x.git', /no valid host/],
    ['file:///etc/passwd', /protocol file not in/],
    ['ext::sh -c touch% /tmp/pwned', /protocol ext not in/],
    ['-uhttp://example.com/x.git', /cannot start with "-"/],
    ['not a url', /Invalid git url/],
  ])('refuses %s', (raw, message) => {
    expect(() => canonicalRepoUrl(raw, ALL)).toThrowError(SpecError);
    expect(() => canonicalRepoUrl(raw, ALL)).toThrowError(message);
  });

  it.each([
    'https://github.com/binder-examples/requirements',
    'https://gitlab.com/group/sub/project.git',
    'http://127.0.0.1:8080/repo.git',
    'http://[::1]:8080/repo.git',
    'https://user:tok%40en@git.example.org/r.git',
    'git://git.example.org/r.git',
    'ssh://git@git.example.org/org/r.git',
    'https://example.com/r.git?x=1',
  ])('accepts %s as it is', (raw) => {
    expect(canonicalRepoUrl(raw, ALL).href).toBe(raw);
  });

  it('hides credentials in messages, but keeps what a trick is made of', () => {
    expect(redactedUrl('https://user:secret@h/r.git')).toBe('https://***@h/r.git');
    expect(redactedUrl('https://ghp_token@h/r.git')).toBe('https://***@h/r.git');
    expect(redactedUrl('http://8.8.8.8\\@127.0.0.1/x.git')).toBe(
      'http://8.8.8.8\\@127.0.0.1/x.git',
    );
    expect(() => canonicalRepoUrl('https://u:secret@h/a b', ALL)).toThrowError(
      /^Invalid git url https:\/\/\*\*\*@h\/a b: /,
    );
  });
});
