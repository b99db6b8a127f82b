import { SpecError } from './spec-error.js';

// `10.<registrant>/<suffix>`, in the characters DOIs of these services use: nothing that
// needs percent-encoding in a URL path, so the spec, the URL asked and repo2docker's
// argument are the same text.
const DOI = /^10\.\d{4,9}\/[A-Za-z0-9._;()/:-]+$/;

/** A DOI spec (`10.5281/zenodo.3242074`), split at its first `/`. */
export interface Doi {
  doi: string;
  /** `10.5281` */
  authority: string;
  /** `zenodo.3242074`, `DVN/TJCLKP` */
  identifier: string;
}

/** Parses a DOI spec; throws SpecError naming the expected form. */
export function parseDoi(spec: string, provider: string): Doi {
  if (spec.length > 300 || !DOI.test(spec)) {
    throw new SpecError(
      `"${spec.slice(0, 300)}" is not a ${provider} DOI: expected 10.<registrant>/<suffix>, e.g. ${DOI_EXAMPLES[provider] ?? '10.5281/zenodo.3242074'}`,
    );
  }
  const slash = spec.indexOf('/');
  return { doi: spec, authority: spec.slice(0, slash), identifier: spec.slice(slash + 1) };
}

const DOI_EXAMPLES: Record<string, string> = {
  Zenodo: '10.5281/zenodo.3242074',
  Figshare: '10.6084/m9.figshare.9782777.v1',
  Dataverse: '10.7910/DVN/TJCLKP',
};

/** `https://doi.org/<doi>`: where upstream points `ref_url` of DOI providers (whatever resolver is used). */
export function doiUrl(doi: string): string {
  return `https://doi.org/${doi}`;
}
