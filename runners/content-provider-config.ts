import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CONTENT_PROVIDER_ENV } from '../queue/repo-specs/content-access.js';

/** Set to `1` in repo2docker's environment for a forced rebuild: no layer cache. */
export const NO_CACHE_ENV = 'BINDERHUB_TS_NO_CACHE';

/** File name of the configuration (in the docker backend's work dir and in the ConfigMap). */
export const REPO2DOCKER_CONFIG_FILE = 'repo2docker_config.py';

/**
 * repo2docker's configuration for every build (Python, read with `--config`). The docker
 * backend writes it; build pods mount it from the ConfigMap the Helm chart creates from
 * chart/files/repo2docker_config.py, a copy a test keeps identical to this text.
 *
 * - Exactly one content provider: the job's (`$BINDERHUB_CONTENT_PROVIDER`, JSON, set by
 *   the runner per build). repo2docker otherwise tries them all, and some fetch on their
 *   own from user-named hosts (CKAN's status_show, Mercurial's `hg identify`, doi.org).
 * - The address guard: every host name this process resolves (requests, urllib, every
 *   redirect, every file a record lists) is checked, all its addresses, against the URL
 *   policy's block list and allow list before any connection, and the connection goes
 *   to the addresses checked (the same answer): no second DNS answer counts.
 * - The providers' endpoints from the configuration (DOI resolver, sites, APIs), so a
 *   stand-in or a mirror can serve them.
 * - The build fetches what the ref names: the Zenodo record and Figshare version
 *   resolved when the build was asked for (not the DOI's latest at build time); for
 *   Dataverse, HydroShare and CKAN, which serve only their current version, the build
 *   fails when that is no longer the ref (the image's tag) instead of building other content.
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

# --- the address guard -------------------------------------------------------------
GUARD = SETTINGS["guard"]
BLOCKED = [ipaddress.ip_network(n) for n in GUARD["blocked"]]
ALLOWED_NETS = [ipaddress.ip_network(n) for n in GUARD["allowedNets"]]
ALLOWED_HOSTS = [(h.lower(), p) for h, p in GUARD["allowedHosts"]]
_docker = urlparse(os.environ.get("DOCKER_HOST", ""))
if _docker.scheme == "tcp" and _docker.hostname:
    ALLOWED_HOSTS.append((_docker.hostname.lower(), _docker.port))


def _address(text):
    ip = ipaddress.ip_address(text.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _same_host(a, b):
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b


def _allowed(host, port, ip):
    for allowed_host, allowed_port in ALLOWED_HOSTS:
        if _same_host(allowed_host, host) and (
            allowed_port is None or str(allowed_port) == str(port)
        ):
            return True
    return any(ip in net for net in ALLOWED_NETS)


_system_getaddrinfo = socket.getaddrinfo


def _checked_getaddrinfo(host, port, *args, **kwargs):
    answers = _system_getaddrinfo(host, port, *args, **kwargs)
    name = (host.decode() if isinstance(host, bytes) else str(host)).strip("[]").lower()
    for family, _type, _proto, _canon, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = _address(sockaddr[0])
        if any(ip in net for net in BLOCKED) and not _allowed(name, port, ip):
            raise OSError(
                f"binderhub-ts: {name} has a private or local address ({sockaddr[0]}), "
                "which builds may not connect to"
            )
    return answers


socket.getaddrinfo = _checked_getaddrinfo


# --- the content providers -----------------------------------------------------------
def _doi2url(self, doi):
    if not is_doi(doi):
        return doi
    resp = self._request(SETTINGS["doiResolver"] + normalize_doi(doi))
    if not resp.ok:
        raise ContentProviderException(f"DOI {doi} does not resolve: HTTP {resp.status_code}")
    return resp.url


def _changed(what, now, ref):
    return ContentProviderException(
        f"{what} changed after this build was asked for: it is now {now}, the build is of "
        f"{ref}. Launch it again to build the current version."
    )


def _epoch(text):
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    return str(int(datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()))


class Zenodo(cps.Zenodo):
    doi2url = _doi2url

    def __init__(self):
        super().__init__()
        self.hosts = [
            {
                "hostname": [base + "record/", base + "records/"],
                "api": base + "api/records/",
                "files": "links.files",
                "filepath": "entries",
                "filename": "key",
                "download": "links.content",
                "type": "metadata.upload_type",
            }
            for base in SETTINGS["hosts"]
        ]

    def detect(self, doi, ref=None, extra_args=None):
        spec = super().detect(doi, ref, extra_args)
        if spec is None:
            raise ContentProviderException(f"{doi} is not a record on {SETTINGS['hosts']}")
        spec["record"] = self.record_id = ref
        return spec


class Figshare(cps.Figshare):
    doi2url = _doi2url

    def __init__(self):
        super().__init__()
        self.hosts = [
            {
                "hostname": [base + "articles/", base + "account/articles/"],
                "api": SETTINGS["apiUrl"] + "articles/",
                "filepath": "files",
                "filename": "name",
                "download": "download_url",
            }
            for base in SETTINGS["hosts"]
        ]

    def detect(self, doi, ref=None, extra_args=None):
        # Any article type (repo2docker's own pattern knows only code/ and dataset/): the
        # article the ref names, on a configured site.
        url = self.doi2url(doi)
        article, _, version = (ref or "").rpartition(".v")
        host = next(
            (h for h in self.hosts if any(url.startswith(s) for s in h["hostname"])), None
        )
        if host is None or not re.search(f"/{article}(/|$)", urlparse(url).path):
            raise ContentProviderException(f"{doi} is not Figshare article {article}")
        self.article_id, self.article_version = article, version
        return {"article": article, "host": host, "version": version}


class Dataverse(cps.Dataverse):
    doi2url = _doi2url

    def detect(self, doi, ref=None, extra_args=None):
        site = urlparse(self.doi2url(doi))
        if not any(urlparse(h["url"]).netloc == site.netloc for h in self.hosts):
            self.hosts.append({"url": f"{site.scheme}://{site.netloc}"})
        spec = super().detect(doi, ref, extra_args)
        if spec is None:
            raise ContentProviderException(f"{doi} is not a Dataverse dataset")
        self.ref = ref
        return spec

    def fetch(self, spec, output_dir, yield_output=False):
        url = f'{spec["host"]["url"]}/api/datasets/:persistentId?persistentId={spec["record"]}'
        record = self.urlopen(url, headers={"accept": "application/json"}).json()["data"]
        latest = record["latestVersion"]
        now = f'{record["id"]}.v{latest["versionNumber"]}.{latest["versionMinorNumber"]}'
        if now != self.ref:
            raise _changed("The dataset", now, self.ref)
        yield from super().fetch(spec, output_dir, yield_output)


class Hydroshare(cps.Hydroshare):
    def detect(self, url, ref=None, extra_args=None):
        site = SETTINGS["siteUrl"]
        host = {
            "hostname": [site + "resource/"],
            "django_irods": site + "django_irods/download/bags/",
            "version": site + "hsapi/resource/{}/scimeta/elements",
        }
        if not url.startswith(host["hostname"][0]):
            raise ContentProviderException(f"{url} is not a resource on {site}")
        self.resource_id = url.strip("/").rsplit("/", maxsplit=1)[1]
        self.version = self._fetch_version(host)
        now = f"{self.resource_id}.v{self.version}"
        if now != ref:
            raise _changed("The resource", now, ref)
        return {"resource": self.resource_id, "host": host, "version": self.version}

    def fetch(self, spec, output_dir, yield_output=False, timeout=120):
        # repo2docker unpacks the bag into ./temp: a directory of this build's own.
        previous = os.getcwd()
        with tempfile.TemporaryDirectory() as workdir:
            os.chdir(workdir)
            try:
                yield from super().fetch(spec, output_dir, yield_output, timeout)
            finally:
                os.chdir(previous)


class CKAN(cps.CKAN):
    def detect(self, source, ref=None, extra_args=None):
        spec = super().detect(source, ref, extra_args)
        if spec is None:
            raise ContentProviderException(f"{source} is not a dataset on a CKAN site")
        if spec["activity_id"]:
            query = {"id": spec["activity_id"], "object_type": "package"}
            url = f"{spec['api_url']}activity_data_show?" + urlencode(query)
        else:
            url = f"{spec['api_url']}package_show?" + urlencode({"id": spec["dataset_id"]})
        modified = self.urlopen(url).json()["result"]["metadata_modified"]
        now = f"{spec['dataset_id']}.v{_epoch(modified)}"
        if now != ref:
            raise _changed("The dataset", now, ref)
        return spec


class Swhid(cps.Swhid):
    def __init__(self):
        super().__init__()
        self.base_url = SETTINGS["apiUrl"].rstrip("/")
        if SETTINGS.get("token"):
            self.set_auth_token(SETTINGS["token"])

    def detect(self, swhid, ref=None, extra_args=None):
        spec = super().detect(swhid, ref, extra_args)
        if spec is None:
            raise ContentProviderException(f"{swhid} is not a SWHID of a directory or revision")
        return spec


PROVIDERS = {
    "git": cps.Git,
    "zenodo": Zenodo,
    "figshare": Figshare,
    "dataverse": Dataverse,
    "hydroshare": Hydroshare,
    "ckan": CKAN,
    "swhid": Swhid,
}
c.Repo2Docker.content_providers = [PROVIDERS[SETTINGS["provider"]]]

# --- a forced rebuild: every layer built again, none taken from the cache ------------
if os.environ.get("${NO_CACHE_ENV}") == "1":
    c.Repo2Docker.extra_build_kwargs = {"nocache": True}
`;

/** Writes the configuration into `dir` (the docker backend's work dir); returns its absolute path. */
export async function writeRepo2dockerConfig(dir: string): Promise<string> {
  const path = resolve(dir, REPO2DOCKER_CONFIG_FILE);
  await writeFile(path, REPO2DOCKER_CONFIG, { mode: 0o600 });
  return path;
}
