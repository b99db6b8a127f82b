import type { DisplayConfig } from './provider-entry.js';

const DOI_SPEC = { validateRegex: '10\\.\\d+\\/(.)+' };
const NO_REF = { enabled: false };

/** `display_config` of the data providers: upstream's, field for field (swhid: ours). */
export const DATA_PROVIDER_DISPLAY: Record<string, DisplayConfig> = {
  zenodo: {
    displayName: 'Zenodo DOI',
    id: 'zenodo',
    spec: DOI_SPEC,
    repo: { label: 'Zenodo DOI', placeholder: 'example: 10.5281/zenodo.3242074', urlEncode: false },
    ref: NO_REF,
  },
  figshare: {
    displayName: 'FigShare DOI',
    id: 'figshare',
    spec: DOI_SPEC,
    repo: {
      label: 'FigShare DOI',
      placeholder: 'example: 10.6084/m9.figshare.9782777.v1',
      urlEncode: false,
    },
    ref: NO_REF,
  },
  hydroshare: {
    displayName: 'Hydroshare resource',
    id: 'hydroshare',
    spec: { validateRegex: '[^/]+' },
    repo: {
      label: 'Hydroshare resource id',
      placeholder: 'example: 8f7c2f0341ef4180b0dbe97f59130756',
      urlEncode: true,
    },
    ref: NO_REF,
  },
  dataverse: {
    displayName: 'Dataverse DOI',
    id: 'dataverse',
    spec: DOI_SPEC,
    repo: { label: 'Dataverse DOI', placeholder: 'example: 10.7910/DVN/TJCLKP', urlEncode: false },
    ref: NO_REF,
  },
  ckan: {
    displayName: 'CKAN dataset',
    id: 'ckan',
    spec: { validateRegex: '[^/]+' },
    repo: {
      label: 'CKAN dataset URL',
      placeholder: 'https://demo.ckan.org/dataset/my-sample-dataset-001',
      urlEncode: true,
    },
    ref: NO_REF,
  },
  swhid: {
    displayName: 'Software Heritage',
    id: 'swhid',
    spec: { validateRegex: 'swh:1:(dir|rev):[0-9a-f]{40}' },
    repo: {
      label: 'Software Heritage ID (SWHID) of a directory or revision',
      placeholder: 'example: swh:1:dir:0aa13ae45d36ed6ec6706a6e6ed6b95bdea4e6b4',
      urlEncode: false,
    },
    ref: NO_REF,
  },
};
