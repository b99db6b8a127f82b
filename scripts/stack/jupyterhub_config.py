# JupyterHub configuration for the binderhub-ts local stack.
#
# Started by `bash scripts/stack.sh up` as
#   .stack/venv/bin/jupyterhub -f scripts/stack/jupyterhub_config.py
# Everything listens on 127.0.0.1. Secrets and state live in .stack/ (see
# docs/local-stack.md); this file only reads them.
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STACK = Path(os.environ.get("BINDERHUB_TS_STACK_DIR", ROOT / ".stack")).resolve()
SECRETS = STACK / "secrets"

sys.path.insert(0, str(HERE))
from binder_spawner import BinderSpawner  # noqa: E402


def secret(name):
    path = SECRETS / name
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        raise SystemExit(f"missing {path}: run `bash scripts/stack.sh up`") from None
    if not value:
        raise SystemExit(f"empty {path}: delete it and run `bash scripts/stack.sh up`")
    return value


# Pages on other origins (docs/binder-buttons.md): one setting for the whole stack,
# kept by `bash scripts/stack.sh cors <origin>` in .stack/cors-allow-origin. stack.sh
# writes it into binderhub-ts's config (BinderHub.cors_allow_origin); here it becomes the
# notebook servers' allow_origin.
ORIGIN = re.compile(r"\*|https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")


def cors_allow_origin():
    path = STACK / "cors-allow-origin"
    value = path.read_text().strip() if path.exists() else ""
    if value and not ORIGIN.fullmatch(value):
        raise SystemExit(
            f"{path}: {value!r} is not '*' or an origin such as https://books.example.org"
            " (scheme://host[:port], no path); fix it with `bash scripts/stack.sh cors <origin>`"
        )
    return value


def auth_mode():
    """`bash scripts/stack.sh up --auth` (kept in .stack/auth-mode) or, for a test's own
    hub, $BINDERHUB_TS_HUB_AUTH=1: hub login, binderhub-ts as an OAuth service."""
    if os.environ.get("BINDERHUB_TS_HUB_AUTH") in ("0", "1"):
        return os.environ["BINDERHUB_TS_HUB_AUTH"] == "1"
    path = STACK / "auth-mode"
    return path.exists() and path.read_text().strip() == "on"


def port(name, default):
    """Ports stay fixed for the stack; tests start a hub of their own on free ports."""
    return int(os.environ.get(f"BINDERHUB_TS_{name}", default))


c = get_config()  # noqa: F821

# --- network: public proxy port 8000, hub API 8081, proxy API 8001 ----------
HUB_PORT = port("HUB_PORT", 8000)
HUB_API_PORT = port("HUB_API_PORT", 8081)
c.JupyterHub.bind_url = f"http://127.0.0.1:{HUB_PORT}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.JupyterHub.hub_connect_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port('PROXY_API_PORT', 8001)}"
c.ConfigurableHTTPProxy.command = [
    str(STACK / "chp" / "node_modules" / ".bin" / "configurable-http-proxy")
]
c.ConfigurableHTTPProxy.auth_token = secret("proxy-auth-token")
c.ConfigurableHTTPProxy.pid_file = str(STACK / "run" / "chp.pid")
c.ConfigurableHTTPProxy.should_start = True

# --- state -------------------------------------------------------------------
c.JupyterHub.cookie_secret = bytes.fromhex(secret("cookie-secret"))
c.JupyterHub.db_url = f"sqlite:///{STACK / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.pid_file = str(STACK / "run" / "jupyterhub-process.pid")
c.JupyterHub.cleanup_servers = False  # a hub restart keeps running servers; `stack.sh down` removes them
c.JupyterHub.cleanup_proxy = True

AUTH = auth_mode()
# binderhub-ts's address, for its OAuth callback (auth mode)
BINDER_URL = os.environ.get("BINDERHUB_TS_BINDER_URL", "http://127.0.0.1:8585/")
# named servers per user in auth mode; stack.sh gives binderhub-ts the same number
# (Launcher.named_server_limit_per_user)
NAMED_SERVER_LIMIT = int(os.environ.get("BINDERHUB_TS_NAMED_SERVER_LIMIT", "2"))

c.JupyterHub.allow_named_servers = True
binder_scopes = [
    "servers",  # start/stop servers (includes read:servers)
    "read:servers",  # server model + /server/progress stream
    "read:users",
    "list:users",
    "read:users:activity",
]
if AUTH:
    # --- users log in (any name, the shared password in secrets/hub-user-password);
    # binderhub-ts is their OAuth client and starts each user's own servers
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = secret("hub-user-password")
    c.Authenticator.allow_all = True
    c.JupyterHub.named_server_limit_per_user = NAMED_SERVER_LIMIT
    binder_service = {
        "name": "binder",
        "api_token": secret("hub-api-token"),
        "oauth_client_id": "service-binder",
        "oauth_redirect_uri": BINDER_URL.rstrip("/") + "/oauth_callback",
        "oauth_no_confirm": True,
    }
else:
    # --- users: temporary users created by the binder service, no login ----------
    c.JupyterHub.authenticator_class = "null"
    c.Authenticator.allow_all = True
    c.JupyterHub.named_server_limit_per_user = 0  # no limit
    binder_service = {"name": "binder", "api_token": secret("hub-api-token")}
    binder_scopes.insert(0, "admin:users")  # create/delete users (temporary users)

# --- the binderhub-ts service ----------------------------------------------
c.JupyterHub.services = [binder_service]
c.JupyterHub.load_roles = [
    {
        "name": "binder",
        "description": "binderhub-ts: start/stop servers, follow spawn progress"
        + ("" if AUTH else ", create and delete temporary users"),
        "scopes": binder_scopes,
        "services": ["binder"],
    }
]
if AUTH:
    # users may log in to the binder service (its OAuth), besides their own servers
    c.JupyterHub.load_roles.append(
        {"name": "user", "scopes": ["self", "access:services!service=binder"]}
    )

# POST .../servers returns 202 at once; progress comes from the event stream
c.JupyterHub.tornado_settings = {"slow_spawn_timeout": 0}

# --- spawner ---------------------------------------------------------------
c.JupyterHub.spawner_class = BinderSpawner
c.DockerSpawner.network_name = "host"  # each server on its own port on 127.0.0.1
c.BinderSpawner.listen_ip = "127.0.0.1"
c.DockerSpawner.remove = True
c.DockerSpawner.pull_policy = "ifnotpresent"  # 127.0.0.1:5000/... pulled from the local registry
c.DockerSpawner.prefix = "binderhub-ts"
c.DockerSpawner.extra_create_kwargs = {"labels": {"org.binderhub-ts.stack": "spawner"}}
c.DockerSpawner.image = "binderhub-ts/jupyter-base:1"  # a server started without a Binder image
c.BinderSpawner.auth_enabled = AUTH  # auth mode: jupyterhub-singleuser, hub login
c.BinderSpawner.allowed_image_prefixes = ["127.0.0.1:5000/", "binderhub-ts/"]
c.BinderSpawner.cors_allow_origin = cors_allow_origin()
c.Spawner.start_timeout = 300  # a 2-core machine starting many servers at once is slow
c.Spawner.http_timeout = 120
