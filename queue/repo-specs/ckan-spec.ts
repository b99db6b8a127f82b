import { redactedUrl } from '../url-policy/canonical-url.js';
import type { RepoSpec } from './repo-spec.js';
import { SpecError } from './spec-error.js';
import { unquote } from './spec-parts.js';

// CKAN dataset names are lower-case letters, digits, `-` and `_`; ids are UUIDs.
const DATASET = /^[A-Za-z0-9_-]{1,100}$/;

function invalid(url: string, why: string): SpecError {
  return new SpecError(`Invalid CKAN dataset URL ${redactedUrl(url)}: ${why}`);
}

/** Parses and checks the dataset URL: http(s), canonical form, no credentials or fragment. */
function datasetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(raw, 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(raw, 'not http(s)');
  if (url.username || url.password) throw invalid(raw, 'a dataset URL carries no credentials');
  if (url.hash) throw invalid(raw, 'a dataset URL has no #fragment');
  if (url.href !== raw) throw invalid(raw, `write it in its canonical form, ${url.href}`);
  return url;
}

/**
 * `ckan/<url-encoded dataset URL>` (`https://demo.ckan.org/dataset/<name>`, optionally
 * `/history/<activity id>` or `?activity_id=<id>` for a past version): a dataset on any
 * CKAN site (under a path prefix too). The ref is `<dataset>.v<epoch of metadata_modified>`.
 */
export class CkanSpec implements RepoSpec {
  readonly prefix = 'ckan';
  readonly name = 'CKAN';
  readonly contentProvider = 'ckan';
  readonly resolvedRefForm = "this dataset's <dataset>.v<epoch seconds>";
  readonly unresolvedRef = '';
  /** The dataset URL (upstream's `repo`: the spec unquoted). */
  readonly url: string;
  readonly datasetId: string;
  /** The activity (past version) the URL names, if any. */
  readonly activityId: string | undefined;
  /** `<scheme>://<host><path prefix>/api/3/action/` */
  readonly apiUrl: string;

  constructor(readonly spec: string) {
    this.url = unquote(spec, 'The dataset URL');
    const url = datasetUrl(this.url);
    const parts = url.pathname.split('/dataset/');
    if (parts.length !== 2) throw invalid(this.url, 'its path must contain "/dataset/" once');
    const [pathPrefix, datasetPath] = parts as [string, string];
    const segments = datasetPath.split('/');
    this.datasetId = segments[0]!;
    if (!DATASET.test(this.datasetId))
      throw invalid(this.url, 'no valid dataset name after /dataset/');
    const history = segments.indexOf('history');
    this.activityId =
      history >= 0 ? segments[history + 1] : (url.searchParams.get('activity_id') ?? undefined);
    if (this.activityId !== undefined && !DATASET.test(this.activityId))
      throw invalid(this.url, 'not a valid activity id');
    this.apiUrl = `${url.origin}${pathPrefix}/api/3/action/`;
  }

  /** The ref of the dataset as last modified at `epochSeconds`. */
  refFor(epochSeconds: number): string {
    return `${this.datasetId}.v${epochSeconds}`;
  }

  isResolvedRef(ref: string): boolean {
    const m = /^([A-Za-z0-9_-]{1,100})\.v\d{1,12}$/.exec(ref);
    return !!m && m[1] === this.datasetId;
  }

  resolvedSpec(_ref: string): string {
    return this.url;
  }

  repoUrl(): string {
    return this.url;
  }

  refUrl(_ref: string): string {
    return this.url;
  }

  buildSlug(_ref: string): string {
    return `ckan-${this.datasetId}`;
  }

  urlCredentials(): undefined {
    return undefined;
  }
}
