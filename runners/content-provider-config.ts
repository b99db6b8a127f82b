import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CONTENT_PROVIDER_ENV } from '../queue/repo-specs/content-access.js';
import { ADDRESS_GUARD_PY } from './repo2docker-config/address-guard-py.js';
import { CONTENT_PROVIDERS_PY } from './repo2docker-config/content-providers-py.js';

/** Set to `1` in repo2docker's environment for a forced rebuild: no layer cache. */
export const NO_CACHE_ENV = 'BINDERHUB_TS_NO_CACHE';

/** File name of the configuration (in the docker backend's work dir and in the ConfigMap). */
export const REPO2DOCKER_CONFIG_FILE = 'repo2docker_config.py';

/**
 * repo2docker's configuration for every build (Python, read with `--config`). The docker
 * backend writes it; build pods mount it from the ConfigMap the Helm chart creates from
 * chart/files/repo2docker_config.py, a copy a test keeps identical to this text.
 *
 * Its parts, in order: the job's settings (`$BINDERHUB_CONTENT_PROVIDER`, JSON, set by the
 * runner per build); the address guard (repo2docker-config/address-guard-py.ts); exactly
 * one content provider, the job's, pinned to what the ref names
 * (repo2docker-config/content-providers-py.ts) — repo2docker otherwise tries them all,
 * and some fetch on their own from user-named hosts (CKAN's status_show, Mercurial's
 * `hg identify`, doi.org); no layer cache for a forced rebuild (NO_CACHE_ENV).
 */
export const REPO2DOCKER_CONFIG = `# binderhub-ts: repo2docker configuration for every build (runners/content-provider-config.ts)
import ipaddress
import json
import os
import re
import socket
import tempfile
from datetime import datetime, timezone
from urllib.parse import urlencode, urlparse

from repo2docker import contentproviders as cps
from repo2docker.contentproviders.base import ContentProviderException
from repo2docker.utils import is_doi, normalize_doi

SETTINGS = json.loads(os.environ["${CONTENT_PROVIDER_ENV}"])

${ADDRESS_GUARD_PY}${CONTENT_PROVIDERS_PY}# --- a forced rebuild: every layer built again, none taken from the cache ------------
if os.environ.get("${NO_CACHE_ENV}") == "1":
    c.Repo2Docker.extra_build_kwargs = {"nocache": True}
`;

/** Writes the configuration into `dir` (the docker backend's work dir); returns its absolute path. */
export async function writeRepo2dockerConfig(dir: string): Promise<string> {
  const path = resolve(dir, REPO2DOCKER_CONFIG_FILE);
  await writeFile(path, REPO2DOCKER_CONFIG, { mode: 0o600 });
  return path;
}
