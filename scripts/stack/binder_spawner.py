"""BinderSpawner for the binderhub-ts local stack.

A DockerSpawner that launches the image a Binder build produced, with the
notebook token chosen by binderhub-ts, instead of a fixed image running
jupyterhub-singleuser.

binderhub-ts starts a server with
    POST /hub/api/users/<name>/servers/
    {"image": "127.0.0.1:5000/binder-...:<ref>", "token": "<hex>",
     "repo_url": "...", "binder_ref_url": "...", "binder_launch_host": "...",
     "binder_request": "...", "binder_persistent_request": "..."}
and the user then opens <hub>/user/<name>/?token=<token>.

On the local stack every container uses the host's network namespace
(`network_name = "host"`): the notebook server listens on 127.0.0.1 on a
random free port, so no traffic leaves loopback and no Docker bridge is needed.
"""

from dockerspawner import DockerSpawner
from jupyterhub.utils import random_port
from tornado import web
from traitlets import Bool, List, Unicode, default

# user_options key -> environment variable exposed in the container
BINDER_ENV = {
    "repo_url": "BINDER_REPO_URL",
    "binder_ref_url": "BINDER_REF_URL",
    "binder_launch_host": "BINDER_LAUNCH_HOST",
    "binder_request": "BINDER_REQUEST",
    "binder_persistent_request": "BINDER_PERSISTENT_REQUEST",
}


class BinderSpawner(DockerSpawner):
    auth_enabled = Bool(
        False,
        config=True,
        help="""When True (binderhub-ts with BinderHub.auth_enabled), the server
        runs `auth_cmd` (jupyterhub-singleuser: the hub's login guards it) for the
        user who logged in; user_options may name the image. When False (Binder's
        default), `image` and `token` are required in user_options.""",
    )

    allowed_image_prefixes = List(
        Unicode(),
        ["127.0.0.1:5000/", "binderhub-ts/"],
        config=True,
        help="""Images from user_options starting with one of these prefixes
        are allowed, in addition to DockerSpawner.allowed_images.""",
    )

    notebook_cmd = List(
        Unicode(),
        ["jupyter", "notebook"],
        config=True,
        help="Command that starts the notebook server in Binder mode.",
    )

    auth_cmd = List(
        Unicode(),
        ["jupyterhub-singleuser"],
        config=True,
        help="Command that starts the server in auth mode (hub OAuth in the server).",
    )

    listen_ip = Unicode(
        "127.0.0.1",
        config=True,
        help="""Address the notebook server binds inside the container.
        With host networking this is a host address, so keep it on loopback.""",
    )

    cors_allow_origin = Unicode(
        "",
        config=True,
        help="""The notebook servers' allow_origin ('' = unset): the origin of pages
        (thebe, Jupyter Book, MyST) that call their kernels. '*' also sets
        allow_origin_pat '.*', as upstream's spawner does. On the local stack it is
        the one setting `bash scripts/stack.sh cors <origin>` (docs/binder-buttons.md).""",
    )

    @property
    def _host_network(self):
        return self.network_name == "host"

    @staticmethod
    def _binder_option(options, key):
        value = options.get(key)
        if not isinstance(value, str) or not value.strip():
            raise web.HTTPError(
                400,
                f"user_options[{key!r}] is required (a non-empty string) to start a Binder server",
            )
        if any(c.isspace() or ord(c) < 32 for c in value):
            raise web.HTTPError(400, f"user_options[{key!r}] must not contain whitespace")
        return value

    def _validate_binder_options(self, options):
        """Check what Binder mode needs; raises HTTP 400."""
        if self.auth_enabled:
            if "image" in options:
                self._binder_option(options, "image")
            return
        self._binder_option(options, "image")
        self._binder_option(options, "token")
        for key in BINDER_ENV:
            if key in options and not isinstance(options[key], str):
                raise web.HTTPError(400, f"user_options[{key!r}] must be a string")

    @default("apply_user_options")
    def _default_apply_user_options(self):
        # JupyterHub >= 5.3 calls this before start(); start() checks again.
        # user_options are kept as given (start() reads them).
        return lambda spawner, options: spawner._validate_binder_options(options)

    async def check_allowed(self, image):
        if any(image.startswith(prefix) for prefix in self.allowed_image_prefixes):
            return image
        allowed = self._get_allowed_images()
        if allowed == "*" or (allowed and image in allowed):
            return await super().check_allowed(image)
        raise web.HTTPError(
            400,
            f"image {image!r} is not allowed: it must start with one of "
            + ", ".join(repr(p) for p in self.allowed_image_prefixes),
        )

    async def start(self):
        self._validate_binder_options(self.user_options)
        if "image" in self.user_options:
            self.image = await self.check_allowed(self.user_options["image"])
        if self._host_network:
            # every server gets its own free port on the host's loopback
            self.port = random_port()
            # auth mode: jupyterhub-singleuser binds what JUPYTERHUB_SERVICE_URL says
            self.ip = self.listen_ip
        return await super().start()

    async def get_ip_and_port(self):
        if self._host_network:
            return self.listen_ip, self.port
        return await super().get_ip_and_port()

    async def create_object(self):
        if self._host_network:
            # published ports mean nothing with host networking
            saved = self.use_internal_ip
            self.use_internal_ip = True
            try:
                obj = await super().create_object()
            finally:
                self.use_internal_ip = saved
            return obj
        return await super().create_object()

    async def get_command(self):
        if self.auth_enabled:
            return list(self.auth_cmd) + self.get_args()
        token = self.user_options["token"]
        base_url = self.server.base_url
        ip = self.listen_ip if self._host_network else "0.0.0.0"
        args = [f"--ip={ip}", f"--port={self.port}", "--no-browser"]
        # jupyter-server (notebook 7, jupyterlab 3+) reads ServerApp.*, the
        # classic notebook (< 7) reads NotebookApp.*; the other is ignored.
        for app in ("ServerApp", "NotebookApp"):
            args += [
                f"--{app}.token={token}",
                f"--{app}.base_url={base_url}",
                f"--{app}.trust_xheaders=True",
            ]
            if self.default_url:
                args.append(f"--{app}.default_url={self.default_url}")
            if self.cors_allow_origin:
                args.append(f"--{app}.allow_origin={self.cors_allow_origin}")
            if self.cors_allow_origin == "*":
                # allow_origin '*' alone leaves some handlers without the header
                args.append(f"--{app}.allow_origin_pat=.*")
        return list(self.notebook_cmd) + args + list(self.args)

    def get_env(self):
        env = super().get_env()
        for key, name in BINDER_ENV.items():
            value = self.user_options.get(key)
            if isinstance(value, str):
                env[name] = value
        return env
