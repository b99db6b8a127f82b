import type { RequestHandler } from 'express';
import { readPoolStatus, type PoolStatus, type PoolStatusSource } from '../pool/pool-status.js';
import { markup, type SafeHtml } from '../ui/html/html.js';

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;color:#111}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f4f6}code{font-size:12px}.n{text-align:right}`;

const table = (head: string[], rows: SafeHtml[]) =>
  markup`<table><tr>${head.map((h) => markup`<th>${h}</th>`)}</tr>${rows}</table>`;

const pairs = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || '—';

/** The pool as one HTML page (no script; it reloads itself every 5 s). */
export function poolPage(s: PoolStatus, boardUrl: string): string {
  const c = s.config;
  const specs = s.specs.map(
    (p) =>
      markup`<tr><td><code>${p.spec}</code></td><td class="n">${p.ready}</td><td class="n">${p.starting}</td><td class="n">${p.oldest_seconds}</td><td>${p.images.map((i) => markup`<code>${i}</code><br>`)}</td></tr>`,
  );
  const top = s.top.map(
    (t) => markup`<tr><td><code>${t.spec}</code></td><td class="n">${t.launches}</td></tr>`,
  );
  return markup`<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Launch pool</title><style>${STYLE}</style></head><body>
<p><a href="${boardUrl}">← build queue</a></p><h1>Launch pool</h1>
<p>${c.specs.length} configured spec(s), automatic top ${c.auto_top_k} (${c.auto_size} each);
at most ${c.max_servers} servers, replaced after ${c.max_age} s; looked at every ${c.refill_interval} s.
${s.removing} server(s) being removed.</p>
${table(['spec', 'ready', 'starting', 'oldest (s)', 'image'], specs)}
<h2>This api replica since it started</h2>
<p>hits: ${s.counters.hits} · misses: ${s.counters.misses} · refills: ${pairs(s.counters.refills)} · evictions: ${pairs(s.counters.evictions)}</p>
<h2>Most launched specs (automatic choice)</h2>
${table(['spec', 'launches in the window'], top)}
</body></html>`.value;
}

/** `GET <Dashboard.path>/pool`: the pool's state, as HTML or (Accept: application/json) JSON. */
export function poolPageHandler(pool: PoolStatusSource, boardUrl: string): RequestHandler {
  return (req, res, next) => {
    readPoolStatus(pool).then((status) => {
      if (req.accepts(['html', 'json']) === 'json') return void res.json(status);
      res.type('html').send(poolPage(status, boardUrl));
    }, next);
  };
}
