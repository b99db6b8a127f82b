import { markup, type SafeHtml } from '../html/html.js';
import { renderPage } from '../html/layout.js';
import type { SiteSettings } from '../html/site-settings.js';

function copyField(id: string, labelText: string, multiline: boolean): SafeHtml {
  const field = multiline
    ? markup`<textarea id="${id}" class="code" rows="3" readonly></textarea>`
    : markup`<input id="${id}" class="code" type="text" readonly>`;
  return markup`<div class="copy-field">
    <label for="${id}">${labelText}</label>
    <div class="copy-row">${field}<button type="button" class="copy" data-copy="${id}" aria-label="Copy ${labelText}" disabled>Copy</button></div>
  </div>`;
}

function form(): SafeHtml {
  return markup`<form id="launch-form" class="card" novalidate aria-describedby="form-help">
  <h2>Build and launch a repository</h2>
  <p id="form-help" class="help">Paste a repository URL or fill in the fields. The link and badge below update as you type.</p>
  <div class="field">
    <label for="provider">Repository host</label>
    <select id="provider" name="provider" disabled><option>Loading providers…</option></select>
  </div>
  <div class="field">
    <label for="repository" id="repository-label">Repository</label>
    <input id="repository" name="repository" type="text" autocomplete="off" spellcheck="false" required aria-describedby="detected">
    <p id="detected" class="help" aria-live="polite"></p>
  </div>
  <div class="field-row">
    <div class="field">
      <label for="ref">Git ref (branch, tag, or commit)</label>
      <input id="ref" name="ref" type="text" autocomplete="off" spellcheck="false">
    </div>
    <div class="field">
      <label for="path" id="path-label">File to open (optional)</label>
      <div class="path-row">
        <input id="path" name="path" type="text" autocomplete="off" spellcheck="false" placeholder="example: index.ipynb">
        <select id="path-kind" name="path-kind" aria-label="Kind of path">
          <option value="file">File</option>
          <option value="url">URL</option>
        </select>
      </div>
    </div>
  </div>
  <p id="form-error" class="error" role="alert" hidden></p>
  <button id="launch" type="submit" class="primary">Launch</button>
</form>`;
}

function share(): SafeHtml {
  return markup`<section class="card" aria-labelledby="share-heading">
  <h2 id="share-heading">Share your Binder</h2>
  ${copyField('launch-url', 'Binder link', false)}
  <p id="badge-preview-row" class="badge-preview" hidden>Badge preview: <a id="badge-preview"><img id="badge-image" alt="launch binder" width="120" height="20"></a></p>
  ${copyField('badge-markdown', 'Markdown badge', true)}
  ${copyField('badge-rst', 'reStructuredText badge', true)}
  ${copyField('badge-html', 'HTML badge', true)}
  <p id="copy-status" class="visually-hidden" aria-live="polite"></p>
</section>`;
}

/** `/`: the link generator (providers come from `/api/repoproviders`, in the page's script). */
export function renderHomePage(site: SiteSettings): string {
  const content = markup`<section class="intro">
  <h1>Turn a Git repository into a collection of interactive notebooks</h1>
  <p>Have a repository full of Jupyter notebooks? With Binder, open those notebooks in an executable environment, making your code immediately reproducible by anyone, anywhere.</p>
</section>
<noscript><p class="error">The link generator needs JavaScript. You can still write links by hand: <code>${site.baseUrl}v2/gh/&lt;owner&gt;/&lt;repository&gt;/&lt;ref&gt;</code>.</p></noscript>
<div class="home-grid">
${form()}
${share()}
</div>`;
  return renderPage(site, { title: 'Binder', page: 'home', content, script: 'home' });
}
