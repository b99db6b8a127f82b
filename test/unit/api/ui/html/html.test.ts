import { describe, expect, it } from 'vitest';
import { escapeHtml, markup, raw } from '../../../../../api/ui/html/html.js';
import { scriptJson } from '../../../../../api/ui/html/script-json.js';

describe('html', () => {
  it('escapes interpolated strings, in content and attributes', () => {
    const evil = `"><script>alert('x')</script>&`;
    expect(markup`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });
  it('nests safe fragments and arrays, and drops null/false', () => {
    const items = ['a<', 'b'].map((x) => markup`<li>${x}</li>`);
    expect(markup`<ul>${items}${null}${false}${raw('<hr>')}${3}</ul>`.value).toBe(
      '<ul><li>a&lt;</li><li>b</li><hr>3</ul>',
    );
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('scriptJson', () => {
  it('cannot close the script element or open a comment', () => {
    const out = scriptJson({ s: '</script><!-- \u2028 & >' });
    expect(out).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(out)).toEqual({ s: '</script><!-- \u2028 & >' });
  });
});
