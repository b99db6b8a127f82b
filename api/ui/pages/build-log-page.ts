import type { BuildLog } from '../../build-logs/read-build-log.js';
import { buildLogText } from '../../build-logs/read-build-log.js';
import { markup } from '../html/html.js';
import { renderPage } from '../html/layout.js';
import type { SiteSettings } from '../html/site-settings.js';

/** Terminal colour and cursor sequences (repo2docker's and Docker's output has them). */
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function outcomeText(log: BuildLog): string {
  if (log.outcome === 'built') return 'built';
  if (log.outcome === 'failed') return 'failed';
  return log.state === 'active' ? 'running' : log.state;
}

function keptFor(seconds: number | undefined): string {
  if (seconds === undefined) return 'while the build runs, then BuildQueue.event_history_ttl';
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} more minutes`;
  return `${Math.round(seconds / 360) / 10} more hours`;
}

/** `/logs/<build>`: the whole kept log of one build, escaped, with its state and links. */
export function renderBuildLogPage(site: SiteSettings, log: BuildLog): string {
  const api = `${site.baseUrl}api/builds/${log.build}/log`;
  const text = buildLogText(log).replace(ANSI, '');
  const content = markup`<section class="card">
  <h1>Build log</h1>
  <p class="build-log-facts">
    <span>Build <code id="build-name">${log.build}</code></span>
    <span>Outcome: <strong id="build-outcome">${outcomeText(log)}</strong></span>
    <span>Kept for ${keptFor(log.expiresIn)}</span>
  </p>
  ${log.truncated ? markup`<p>The start of this log was dropped: it was longer than the size kept per build.</p>` : ''}
  <pre class="build-log-text" id="build-log" tabindex="0" aria-label="Build log">${text || '(no log lines yet)'}</pre>
  <p>As <a href="${api}?format=text">plain text</a> · as <a href="${api}">JSON</a></p>
</section>`;
  return renderPage(site, { title: `Build log ${log.build} · Binder`, page: 'build-log', content });
}
