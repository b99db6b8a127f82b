import { describe, expect, it } from 'vitest';
import { serverRedirectUrl, urlPathFromQuery } from '../../../../../api/ui/shared/launch-spec.js';

const q = (s: string) => urlPathFromQuery(new URLSearchParams(s));

describe('urlPathFromQuery (upstream LaunchSpec.fromSearchParams)', () => {
  it('is empty without parameters', () => {
    expect(q('')).toBe('');
  });
  it('takes urlpath as given, minus leading slashes', () => {
    expect(q('urlpath=/lab/tree/a.ipynb')).toBe('lab/tree/a.ipynb');
    expect(q('urlpath=%2F%2Frstudio')).toBe('rstudio');
    expect(q('urlpath=tree')).toBe('tree');
  });
  it('maps labpath to doc/tree/<encodeURI(path minus one trailing slash)>', () => {
    expect(q('labpath=index.ipynb')).toBe('doc/tree/index.ipynb');
    expect(q('labpath=dir/sub/')).toBe('doc/tree/dir/sub');
    expect(q('labpath=has%20space/%C3%BCnicode.ipynb')).toBe(
      'doc/tree/has%20space/%C3%BCnicode.ipynb',
    );
    expect(q('labpath=/abs.ipynb')).toBe('doc/tree//abs.ipynb');
  });
  it('maps filepath to tree/<path>', () => {
    expect(q('filepath=notebooks/')).toBe('tree/notebooks');
  });
  it('lets labpath win over filepath, and both override urlpath', () => {
    expect(q('urlpath=/x&filepath=f&labpath=l')).toBe('doc/tree/l');
    expect(q('urlpath=/x&filepath=f')).toBe('tree/f');
  });
});

describe('serverRedirectUrl', () => {
  const server = 'http://127.0.0.1:8000/user/org-repo-abc12345/';
  it('resolves the path against the server and appends the token', () => {
    expect(serverRedirectUrl(server, 't0k', 'doc/tree/index.ipynb')).toBe(
      'http://127.0.0.1:8000/user/org-repo-abc12345/doc/tree/index.ipynb?token=t0k',
    );
    expect(serverRedirectUrl(server, 't0k', '')).toBe(`${server}?token=t0k`);
  });
  it('keeps a query already in the path', () => {
    expect(serverRedirectUrl(server, 'a b', 'lab?reset')).toBe(`${server}lab?reset=&token=a+b`);
  });
  it('never sends the token outside the server', () => {
    expect(serverRedirectUrl(server, 't', 'https://evil.example/steal')).toBe(`${server}?token=t`);
    expect(serverRedirectUrl(server, 't', '../../other-user/')).toBe(`${server}?token=t`);
  });
});
