import type { DisplayConfig } from '../../providers/provider-entry.js';
import { badgeImageUrl, badgeMarkup } from '../shared/badge-markup.js';
import { detectRepo } from '../shared/detect-repo.js';
import { launchLink, publicBaseUrl, urlPathFor, type PathKind } from '../shared/launch-link.js';
import { setCopyValue, setupCopyButtons } from './copy-buttons.js';
import { appBaseUrl, byId, pageConfig } from './dom.js';

const config = pageConfig();
const base = publicBaseUrl(config.badgeBaseUrl, config.baseUrl, window.location.href);

const form = byId<HTMLFormElement>('launch-form');
const providerSelect = byId<HTMLSelectElement>('provider');
const repoInput = byId<HTMLInputElement>('repository');
const refInput = byId<HTMLInputElement>('ref');
const pathInput = byId<HTMLInputElement>('path');
const pathKind = byId<HTMLSelectElement>('path-kind');
const detected = byId('detected');
const formError = byId('form-error');

let providers: DisplayConfig[] = [];
/** The repository as understood from the field (detected from a URL, or as typed). */
let repo = '';
/** Fields filled in from a pasted URL, which a later paste may overwrite. */
const autoFilled = new Set<HTMLInputElement>();

const selected = (): DisplayConfig | undefined =>
  providers.find((p) => p.id === providerSelect.value);

function showProvider(p: DisplayConfig): void {
  byId('repository-label').textContent = p.repo.label;
  repoInput.placeholder = p.repo.placeholder;
  refInput.disabled = !p.ref.enabled;
  refInput.placeholder = p.ref.enabled ? (p.ref.default ?? '') : 'not used by this provider';
}

function fill(input: HTMLInputElement, value: string | undefined): void {
  if (value === undefined || (input.value && !autoFilled.has(input))) return;
  input.value = value;
  autoFilled.add(input);
}

function onRepositoryInput(): void {
  const hit = detectRepo(providers, providerSelect.value, repoInput.value);
  if (hit && hit.providerId !== providerSelect.value) {
    providerSelect.value = hit.providerId;
    showProvider(selected()!);
  }
  repo = hit ? hit.repo : repoInput.value.trim();
  if (hit) {
    fill(refInput, hit.ref);
    if (hit.path !== undefined) {
      fill(pathInput, hit.path);
      pathKind.value = 'file';
    }
  }
  const name = selected()?.displayName ?? '';
  detected.textContent =
    hit && hit.repo !== repoInput.value.trim() ? `Detected ${name} repository ${hit.repo}.` : '';
}

function update(): void {
  const provider = selected();
  const urlPath = urlPathFor(pathKind.value as PathKind, pathInput.value);
  const link = provider ? launchLink(base, provider, repo, refInput.value, urlPath) : null;
  const image = badgeImageUrl(base);
  setCopyValue('launch-url', link ?? '');
  setCopyValue('badge-markdown', link ? badgeMarkup('markdown', image, link) : '');
  setCopyValue('badge-rst', link ? badgeMarkup('rst', image, link) : '');
  setCopyValue('badge-html', link ? badgeMarkup('html', image, link) : '');
  const preview = byId<HTMLAnchorElement>('badge-preview');
  byId('badge-preview-row').hidden = !link;
  if (link) {
    preview.href = link;
    byId<HTMLImageElement>('badge-image').src = image;
  }
  if (link) formError.hidden = true;
  byId('path-label').textContent =
    pathKind.value === 'file' ? 'File to open (optional)' : 'URL to open (optional)';
  pathInput.placeholder = pathKind.value === 'file' ? 'example: index.ipynb' : 'example: /rstudio';
}

async function loadProviders(): Promise<void> {
  try {
    const res = await fetch(new URL('api/repoproviders', appBaseUrl(config)));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    providers = (await res.json()) as DisplayConfig[];
  } catch (err) {
    formError.textContent = `Could not load the list of repository hosts (${String(err)}). Reload the page to try again.`;
    formError.hidden = false;
    return;
  }
  providerSelect.replaceChildren(...providers.map((p) => new Option(p.displayName, p.id)));
  providerSelect.disabled = providers.length === 0;
  if (providers[0]) showProvider(providers[0]);
  onRepositoryInput();
  update();
}

providerSelect.addEventListener('change', () => {
  const p = selected();
  if (p) showProvider(p);
  onRepositoryInput();
  update();
});
repoInput.addEventListener('input', () => {
  onRepositoryInput();
  update();
});
for (const input of [refInput, pathInput]) {
  input.addEventListener('input', () => {
    autoFilled.delete(input);
    update();
  });
}
pathKind.addEventListener('change', update);
form.addEventListener('submit', (e) => {
  e.preventDefault();
  const link = byId<HTMLInputElement>('launch-url').value;
  if (!link) {
    formError.textContent = 'Enter a repository (and a ref, if the host needs one) to launch.';
    formError.hidden = false;
    repoInput.focus();
    return;
  }
  window.location.assign(link);
});

setupCopyButtons();
void loadProviders();
