import { z } from 'zod';
import { repoProviderTraits } from './common.js';

/** True for an absolute http(s) URL without credentials, query or fragment, ending in `/`. */
export function isBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    !url.username &&
    !url.password &&
    !url.search &&
    !url.hash &&
    url.href === value &&
    value.endsWith('/')
  );
}

/** An endpoint the operator configures: http(s), in canonical form, ending in `/`. */
const baseUrl = () =>
  z.string().refine(isBaseUrl, {
    message:
      'must be an http(s) URL in canonical form, without credentials, query or fragment, ending in "/" (e.g. https://doi.org/)',
  });

/** Where DOIs are resolved (`https://doi.org/<doi>`); a stand-in in tests. */
const doiResolver = { doi_resolver_url: baseUrl().default('https://doi.org/') };

/** `ZenodoProvider.*`: Zenodo (InvenioRDM) records by DOI. */
export const zenodoProviderSection = z
  .object({
    ...repoProviderTraits,
    ...doiResolver,
    /** InvenioRDM sites whose records (`<host>records/<id>`) a Zenodo DOI may resolve to. */
    hosts: z
      .array(baseUrl())
      .min(1)
      .default(['https://zenodo.org/', 'https://sandbox.zenodo.org/']),
  })
  .strict();

/** `FigshareProvider.*`: Figshare articles by DOI. */
export const figshareProviderSection = z
  .object({
    ...repoProviderTraits,
    ...doiResolver,
    /** The Figshare API (`<api_url>articles/<id>/versions`). */
    api_url: baseUrl().default('https://api.figshare.com/v2/'),
    /** Figshare sites whose articles (`<host>articles/…`) a Figshare DOI may resolve to. */
    hosts: z.array(baseUrl()).min(1).default(['https://figshare.com/']),
  })
  .strict();

/** `HydroshareProvider.*`: HydroShare resources. */
export const hydroshareProviderSection = z
  .object({
    ...repoProviderTraits,
    /** The HydroShare site (`<url>resource/<id>`, `<url>hsapi/…`). */
    url: baseUrl().default('https://www.hydroshare.org/'),
  })
  .strict();

/** `DataverseProvider.*`: Dataverse datasets by DOI (any Dataverse installation). */
export const dataverseProviderSection = z
  .object({ ...repoProviderTraits, ...doiResolver })
  .strict();

/** `CKANProvider.*`: CKAN datasets by URL (any CKAN site). */
export const ckanProviderSection = z.object({ ...repoProviderTraits }).strict();

/** `SoftwareHeritageProvider.*`: Software Heritage archives by SWHID. */
export const softwareHeritageProviderSection = z
  .object({
    ...repoProviderTraits,
    /** The Software Heritage API (`<api_url>resolve/<swhid>/`). */
    api_url: baseUrl().default('https://archive.softwareheritage.org/api/1/'),
    /** API token (Bearer) for the higher rate limit; '' = anonymous. */
    token: z.string().default(''),
  })
  .strict();
