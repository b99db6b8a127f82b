import { stepFor, type StepState } from '../shared/build-phases.js';
import { failureHint } from '../shared/failure-hint.js';
import { followBuild, type StreamEvent } from '../shared/follow-build.js';
import { serverRedirectUrl, urlPathFromQuery } from '../shared/launch-spec.js';
import { appBaseUrl, byId, pageConfig } from './dom.js';
import { LogView } from './log-view.js';

const config = pageConfig();
const status = byId('phase-status');
const progress = byId<HTMLProgressElement>('progress');
const logContainer = byId('log-container');
const log = new LogView(logContainer);
let step: StepState | null = null;

function setStatus(text: string): void {
  status.textContent = text;
  document.title = `${text} · Binder`;
}

function showStep(phase: string | undefined): void {
  const next = stepFor(phase, step);
  if (!next || next === step) return;
  step = next;
  progress.value = next.percent;
  setStatus(`${next.label}…`);
  document.querySelectorAll<HTMLLIElement>('#steps li').forEach((li, i) => {
    li.className = i < next.index ? 'done' : i === next.index ? 'current' : '';
    if (i === next.index) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });
}

/** The `/build` stream followed now; aborted when the page switches to the earlier version. */
let following: AbortController | null = null;

/** An earlier version of the ref can start now (`last_good` beside a build): offer it. */
function offerEarlier(offer: unknown): void {
  if (!offer || typeof offer !== 'object') return;
  const builtAt = Date.parse(String((offer as { built_at?: unknown }).built_at));
  if (!Number.isFinite(builtAt)) return;
  byId('fallback-date').textContent = new Date(builtAt).toLocaleString();
  byId('fallback').hidden = false;
}

function startEarlier(): void {
  byId('fallback').hidden = true;
  following?.abort();
  log.write('\n\x1b[1mStarting the earlier version; the new one goes on building.\x1b[0m\n');
  void launch(true);
}

function onEvent(event: StreamEvent): void {
  if (typeof event.message === 'string') log.write(event.message);
  if (event.last_good) offerEarlier(event.last_good);
  showStep(event.phase);
}

function showFailure(event: StreamEvent): void {
  const message = (event.message ?? '').trim() || 'The build failed.';
  setStatus('Launch failed');
  progress.classList.add('failed');
  document.body.classList.add('launch-failed');
  byId('failure-message').textContent = message;
  byId('failure-hint').textContent = failureHint(event);
  // A build that ran has a log page (`/logs/<build>`); only a same-origin path is linked.
  const logUrl = typeof event.log_url === 'string' ? event.log_url : '';
  const logPath = logUrl.startsWith(config.baseUrl) ? logUrl.slice(config.baseUrl.length) : '';
  if (/^(logs\/build-[a-z0-9-]+|api\/builds\/build-[a-z0-9-]+\/log)$/.test(logPath)) {
    byId<HTMLAnchorElement>('failure-log-link').href = logUrl;
    byId('failure-log').hidden = false;
  }
  byId('failure').hidden = false;
  log.write(`\n\x1b[1;31m${message}\x1b[0m\n`);
  byId('retry').focus();
}

function showReady(event: StreamEvent): void {
  showStep('ready');
  if (typeof event.message === 'string') log.write(event.message);
  if (typeof event.url !== 'string' || typeof event.token !== 'string') {
    setStatus('Image ready');
    return;
  }
  const urlPath = urlPathFromQuery(new URLSearchParams(window.location.search));
  const target = serverRedirectUrl(event.url, event.token, urlPath);
  setStatus('Server ready: opening it…');
  const link = byId<HTMLAnchorElement>('server-link');
  link.href = target;
  byId('ready-link').hidden = false;
  window.location.assign(target);
}

async function launch(earlier = false): Promise<void> {
  const url = new URL(`build/${config.providerId}/${config.spec}`, appBaseUrl(config));
  if (earlier) url.searchParams.set('fallback', 'last-good');
  const expiresIn = config.buildTokenExpiresIn ?? 0;
  const mine = new AbortController();
  following = mine;
  const final = await followBuild({
    url: url.toString(),
    signal: mine.signal,
    token: config.buildToken,
    // A little before the server's expiry, so a resume never presents an expired token.
    tokenDeadline: Date.now() + expiresIn * 950,
    onEvent,
    onReconnect: (attempt, delay, reason) => {
      setStatus(`Connection lost (${reason}); reconnecting in ${Math.round(delay / 1000)} s…`);
      log.write(`\x1b[33m[connection lost: ${reason}; reconnecting, attempt ${attempt}]\x1b[0m\n`);
    },
  }).catch((err: unknown) => {
    if (mine.signal.aborted) return undefined; // replaced by the earlier version's launch
    throw err;
  });
  if (!final) return;
  byId('fallback').hidden = true;
  if (final.phase?.toLowerCase() === 'ready') showReady(final);
  else showFailure(final);
}

function setupControls(): void {
  const toggle = byId<HTMLButtonElement>('toggle-log');
  toggle.addEventListener('click', () => {
    const hidden = logContainer.hidden;
    logContainer.hidden = !hidden;
    toggle.setAttribute('aria-expanded', String(hidden));
    toggle.textContent = hidden ? 'Hide log' : 'Show log';
    if (hidden) log.resize();
  });
  byId('save-log').addEventListener('click', () => {
    const blob = new Blob([log.text()], { type: 'text/plain' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `binder-build-${config.providerId ?? 'log'}.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  byId('retry').addEventListener('click', () => window.location.reload());
  byId('fallback-start').addEventListener('click', startEarlier);
}

setupControls();
setStatus('Connecting to the server…');
void launch();
