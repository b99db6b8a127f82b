import { markup } from '../html/html.js';
import { renderPage } from '../html/layout.js';
import type { SiteSettings } from '../html/site-settings.js';
import { LAUNCH_STEPS } from '../shared/build-phases.js';

export interface LaunchPageInput {
  providerId: string;
  providerName: string;
  /** Raw spec after `/v2/<provider>/`, trailing `/` removed. */
  spec: string;
  buildToken: string;
  buildTokenExpiresIn: number;
}

function decodeForDisplay(spec: string): string {
  try {
    return decodeURIComponent(spec);
  } catch {
    return spec;
  }
}

/**
 * `/v2/<provider>/<spec>`: progress, failure notice and the live log. The script connects
 * to `/build/<provider>/<spec>?build_token=…` and redirects to the server when ready.
 */
export function renderLaunchPage(site: SiteSettings, input: LaunchPageInput): string {
  const shown = decodeForDisplay(input.spec);
  const content = markup`<section class="card launch" aria-labelledby="launch-heading">
  <h1 id="launch-heading">Starting <span class="spec">${shown}</span></h1>
  <p class="help">from ${input.providerName}. Images are built once and then start in seconds; a first build can take several minutes.</p>
  <p id="phase-status" class="phase-status" role="status" aria-live="polite">Connecting…</p>
  <progress id="progress" max="100" value="0" aria-labelledby="phase-status"></progress>
  <ol id="steps" class="steps">
    ${LAUNCH_STEPS.map((s) => markup`<li data-phase="${s.phase}">${s.label}</li>`)}
  </ol>
  <div id="fallback" class="fallback" hidden>
    <p>This version is still being built. An earlier version of the same branch is ready to start.</p>
    <p><button id="fallback-start" type="button" class="primary">Start the version from <span id="fallback-date"></span> now</button></p>
    <p class="help">The new version goes on building: the next launch gets it.</p>
  </div>
  <div id="failure" class="failure" role="alert" hidden>
    <h2>The launch failed</h2>
    <p id="failure-message" class="failure-message"></p>
    <p id="failure-hint"></p>
    <p id="failure-log" hidden>The whole build log stays readable after this page is closed: <a id="failure-log-link" href="#">open the build log</a>.</p>
    <p><button id="retry" type="button" class="primary">Try again</button> <a href="${site.baseUrl}">Back to the home page</a></p>
  </div>
  <p id="ready-link" hidden>Your server is ready: <a id="server-link" href="#">open it</a>.</p>
</section>
<section class="card log-card" aria-labelledby="log-heading">
  <div class="log-header">
    <h2 id="log-heading">Build log</h2>
    <button id="toggle-log" type="button" aria-expanded="true" aria-controls="log-container">Hide log</button>
    <button id="save-log" type="button">Save log</button>
  </div>
  <div id="log-container" class="log" role="log" aria-label="Build log" data-log-lines="0"></div>
</section>
<div id="build-token" data-token="${input.buildToken}" hidden></div>
<noscript><p class="error">This page needs JavaScript to follow the build. Clients can use the event stream at <code>${site.baseUrl}build/${input.providerId}/${input.spec}</code>.</p></noscript>`;
  return renderPage(site, {
    title: `Binder · ${shown}`,
    ogTitle: `${input.providerName}: ${shown}`,
    page: 'launch',
    config: {
      providerId: input.providerId,
      spec: input.spec,
      buildToken: input.buildToken,
      buildTokenExpiresIn: input.buildTokenExpiresIn,
    },
    content,
    script: 'launch',
  });
}
