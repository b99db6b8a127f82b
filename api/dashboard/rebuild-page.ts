import { Router } from 'express';
import { HttpError } from '../http/http-error.js';
import {
  requestRebuild,
  type RebuildAnswer,
  type RebuildDeps,
} from '../rebuilds/request-rebuild.js';
import { markup, type SafeHtml } from '../ui/html/html.js';
import { readRawBody } from '../webhooks/raw-body.js';

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;color:#111;max-width:60em}
label{display:block;margin:.6em 0}input{font:inherit;width:40em;max-width:100%}
.ok{background:#ecfdf5;border:1px solid #10b981;padding:.6em}.err{background:#fef2f2;border:1px solid #ef4444;padding:.6em}
code{font-size:12px}`;

function page(boardUrl: string, result?: SafeHtml, values = { provider: 'gh', spec: '' }): string {
  return markup`<!doctype html><html><head><meta charset="utf-8"><title>Rebuild an image</title>
<style>${STYLE}</style></head><body>
<p><a href="${boardUrl}">← build queue</a></p><h1>Rebuild an image</h1>
<p>Builds the image a spec launches now again, without the layer cache, although it exists
(dependencies that are not pinned get their newest versions). The new image replaces the tag:
launches after the build get it; servers already running keep theirs.</p>
${result ?? ''}
<form method="post">
<label>Provider <input name="provider" value="${values.provider}" required></label>
<label>Spec, as in a Binder link (<code>org/repo/HEAD</code>; for <code>git</code> the URL-encoded URL, then <code>/ref</code>)
<input name="spec" value="${values.spec}" required></label>
<button type="submit">Rebuild</button>
</form></body></html>`.value;
}

const done = (a: RebuildAnswer) =>
  markup`<p class="ok">Rebuild ${a.outcome === 'attached' ? 'already queued' : 'queued'}: <code>${a.provider}/${a.spec}</code> at <code>${a.ref}</code>, image <code>${a.image}</code>, build <code>${a.build}</code>.</p>`;

/**
 * `<Dashboard.path>/rebuild`: a form that asks for a forced rebuild (the dashboard's
 * action; the JSON API is `POST /api/rebuilds`). Mounted behind the dashboard's guard:
 * reading needs a dashboard token, the POST the admin token from the dashboard's own origin.
 */
export function rebuildPageRouter(d: RebuildDeps, path: string, boardUrl: string): Router {
  const router = Router();
  router.get(path, (_req, res) => void res.type('html').send(page(boardUrl)));
  router.post(path, async (req, res, next) => {
    let values = { provider: '', spec: '' };
    try {
      const form = new URLSearchParams((await readRawBody(req, 16 * 1024)).toString('utf8'));
      values = { provider: form.get('provider') ?? '', spec: (form.get('spec') ?? '').trim() };
      if (!values.provider || !values.spec) throw new HttpError(400, 'Give a provider and a spec');
      const answer = await requestRebuild(d, values.provider, values.spec, 'dashboard');
      if (req.accepts(['html', 'json']) === 'json') return void res.status(202).json(answer);
      res
        .status(202)
        .type('html')
        .send(page(boardUrl, done(answer), values));
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) return next(err);
      if (req.accepts(['html', 'json']) === 'json')
        return void res.status(err.status).json({ status: err.status, message: err.message });
      const shown = markup`<p class="err">${err.message}</p>`;
      res
        .status(err.status)
        .type('html')
        .send(page(boardUrl, shown, values));
    }
  });
  return router;
}
