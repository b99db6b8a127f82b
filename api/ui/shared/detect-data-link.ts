/** A pasted data link, understood: the provider and what goes in the repository field. */
export interface DataLink {
  providerId: string;
  repo: string;
}

const DOI_PROVIDERS = ['zenodo', 'figshare', 'dataverse'];
const SWHID = /(?:^|\/)(swh:1:(?:dir|rev):[0-9a-f]{40})(?:[;?#/].*)?$/;
const DOI_PREFIX = /^(?:doi:\s*|https?:\/\/(?:dx\.)?doi\.org\/)/i;
const HEX32 = /[0-9a-f]{32}/;

/** A bare DOI (after `doi:` / `https://doi.org/`): to the provider its form names. */
function fromDoi(doi: string, selectedId: string): DataLink | null {
  if (!/^10\.\d+\/\S+$/.test(doi)) return null;
  if (/^10\.\d+\/zenodo\.\d+$/i.test(doi)) return { providerId: 'zenodo', repo: doi };
  if (/^10\.\d+\/(?:\S*\.)?figshare\.\d+(?:\.v\d+)?$/i.test(doi))
    return { providerId: 'figshare', repo: doi };
  const hs = /^10\.4211\/hs\.([0-9a-f]{32})$/.exec(doi);
  if (hs) return { providerId: 'hydroshare', repo: hs[1]! };
  // Another DOI: the DOI provider selected, else Dataverse (whose DOIs have no marker).
  return { providerId: DOI_PROVIDERS.includes(selectedId) ? selectedId : 'dataverse', repo: doi };
}

/** A web page of a record, article, resource or dataset. */
function fromUrl(url: URL): DataLink | null {
  const path = url.pathname;
  const zenodo = /^\/records?\/(\d+)\/?$/.exec(path);
  if (zenodo && /(^|\.)zenodo\.org$/.test(url.hostname)) {
    const registrant = url.hostname.startsWith('sandbox.') ? '10.5072' : '10.5281';
    return { providerId: 'zenodo', repo: `${registrant}/zenodo.${zenodo[1]}` };
  }
  const figshare = /\/articles\/(?:[^/]+\/)?[^/]+\/(\d+)(?:\/(\d+))?\/?$/.exec(path);
  if (figshare && /(^|\.)figshare\.com$/.test(url.hostname)) {
    const version = figshare[2] ? `.v${figshare[2]}` : '';
    return { providerId: 'figshare', repo: `10.6084/m9.figshare.${figshare[1]}${version}` };
  }
  if (/^\/resource\//.test(path) && HEX32.test(path)) {
    return { providerId: 'hydroshare', repo: HEX32.exec(path)![0] };
  }
  const pid = url.searchParams.get('persistentId');
  if (path.endsWith('/dataset.xhtml') && pid?.startsWith('doi:')) {
    return { providerId: 'dataverse', repo: pid.slice('doi:'.length) };
  }
  if (/\/dataset\/[^/]+/.test(path)) return { providerId: 'ckan', repo: url.href };
  return null;
}

/**
 * Recognises a pasted SWHID, DOI (bare, `doi:…`, `https://doi.org/…`) or the web page
 * of a Zenodo record, a Figshare article, a HydroShare resource, a Dataverse dataset or
 * a CKAN dataset, and says which provider launches it and with what spec. Null when it
 * is none of these.
 */
export function detectDataLink(text: string, selectedId: string): DataLink | null {
  const value = text.trim();
  const swhid = SWHID.exec(value);
  if (swhid) return { providerId: 'swhid', repo: swhid[1]! };
  if (DOI_PREFIX.test(value) || /^10\.\d+\//.test(value))
    return fromDoi(value.replace(DOI_PREFIX, ''), selectedId);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? fromUrl(url) : null;
}
