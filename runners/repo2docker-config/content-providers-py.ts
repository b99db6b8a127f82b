/**
 * The content providers of repo2docker's configuration (Python; see
 * content-provider-config.ts): exactly one, the job's (`SETTINGS["provider"]`), with the
 * endpoints from binderhub-ts' configuration (DOI resolver, sites, APIs), fetching what
 * the ref names: the Zenodo record and Figshare version resolved when the build was
 * asked for; for Dataverse, HydroShare and CKAN, which serve only their current version,
 * a failure when that is no longer the ref, instead of building other content.
 */
export const CONTENT_PROVIDERS_PY = `# --- the content providers -----------------------------------------------------------
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

`;
