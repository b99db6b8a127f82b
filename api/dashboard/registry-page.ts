import type { RequestHandler } from 'express';
import type { CleanerReport } from '../registry-cleaner/cleaner-report.js';
import { markup } from '../ui/html/html.js';

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;color:#111}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f4f6}code{font-size:12px}.err{color:#b91c1c}`;

/** The registry cleaner's last run as one HTML page (no script). */
export function registryPage(r: CleanerReport | undefined, boardUrl: string): string {
  const body = r
    ? markup`<p>Last run ${r.trigger === 'api' ? 'on demand' : 'on schedule'}${r.dryRun ? ' (dry run: nothing deleted)' : ''},
${r.startedAt} – ${r.finishedAt}: images older than ${r.maxAgeDays} days; ${r.repositories} repositories, ${r.tags} tags looked at.</p>
<p>Kept: ${r.kept.recent} recent, ${r.kept.keepers} in use (warm pool, last good), ${r.kept.unknownAge} of unknown age.</p>
<h2>${r.dryRun ? 'Would delete' : 'Deleted'} (${r.deleted.length})</h2>
<table><tr><th>images</th><th>digest</th><th>last used</th></tr>${r.deleted.map(
        (d) =>
          markup`<tr><td>${d.images.map((i) => markup`<code>${i}</code><br>`)}</td><td><code>${d.digest}</code></td><td>${d.lastUsed}</td></tr>`,
      )}</table>
${r.errors.length > 0 ? markup`<h2>Problems</h2><ul>${r.errors.map((e) => markup`<li class="err">${e}</li>`)}</ul>` : ''}`
    : markup`<p>The cleaner has not run yet.</p>`;
  return markup`<!doctype html><html><head><meta charset="utf-8"><title>Registry cleaner</title><style>${STYLE}</style></head><body>
<p><a href="${boardUrl}">← build queue</a></p><h1>Registry cleaner</h1>
${body}
<p>Run it now: <code>POST /api/registry/clean</code> with the admin token (<code>?dry_run=true</code> to only list).
Then run the registry's garbage collection to free the space.</p>
</body></html>`.value;
}

/** `GET <Dashboard.path>/registry`: the cleaner's last report, as HTML or JSON. */
export function registryPageHandler(
  source: { lastReport(): Promise<CleanerReport | undefined> },
  boardUrl: string,
): RequestHandler {
  return (req, res, next) => {
    source.lastReport().then((report) => {
      if (req.accepts(['html', 'json']) === 'json') return void res.json(report ?? null);
      res.type('html').send(registryPage(report, boardUrl));
    }, next);
  };
}
