"""Identity and roles for `workbench serve`: the trusted request header and the roles file applied at start."""
from __future__ import annotations

import re

from .store.identity import ENV_USER_HEADER, Identity, check_header_name, header_env_var


def user_header_of(args) -> str | None:
    """``--user-header`` (else ``$WORKBENCH_USER_HEADER``), checked; None for the local account. ValueError."""
    from .settings import Settings

    header = getattr(args, "user_header", None) or Settings.from_env().user_header or None
    return check_header_name(header.strip()) if header else None


_PREFIX = re.compile(r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$")


def base_url_args(prefix: str | None) -> list[str]:
    """Voila options for an app served under ``prefix`` by a proxy that strips it before forwarding (JupyterHub's
    /user/NAME/, or an nginx ``location /wb/ { proxy_pass http://127.0.0.1:8866/; }``): pages link under the
    prefix, the server answers at /. ValueError for a prefix that is not a plain URL path."""
    if not prefix or not prefix.strip("/"):
        return []
    path = prefix.strip("/")
    if not _PREFIX.match(path) or ".." in path.split("/"):
        raise ValueError(f"--base-url {prefix!r}: a URL path of letters, digits and . _ ~ - / "
                         f"/ --base-url 只能是由字母、数字及 . _ ~ - / 组成的路径")
    return [f"--Voila.base_url=/{path}/", "--Voila.server_url=/"]


def identity_env(env: dict[str, str], header: str | None) -> dict[str, str]:
    """Tell the kernels where identities come from; never let the server's own environment supply one (a stale
    HTTP_<NAME> variable would otherwise reach every kernel started without the header)."""
    env.pop(ENV_USER_HEADER, None)
    if header:
        env.pop(header_env_var(header), None)
        env[ENV_USER_HEADER] = header
    return env


def voila_header_config(header: str | None) -> dict:
    """Voila settings handing the header to each page's kernel as HTTP_<NAME> (VoilaConfiguration.http_header_envs;
    a pre-heated kernel receives it with the request, see widgets.app.await_request)."""
    return {"http_header_envs": [header]} if header else {}


def apply_roles_file(path: str, db_url: str) -> tuple[list, str]:
    """Apply a roles file to the store: (entries appended, "") or ([], the one-line reason it could not be)."""
    from .store import DecisionStore, RolesError, StoreError

    try:
        with DecisionStore(db_url) as store:
            return store.apply_roles(path, Identity.local()), ""
    except RolesError as exc:
        return [], str(exc)
    except StoreError as exc:
        return [], f"decision store unavailable / 审评结论库不可用: {exc}"


def identity_banner(header: str | None) -> str:
    if header:
        return (f"Reviewer identity / 审评人身份: request header {header} (set by the authenticating proxy; "
                f"requests without it cannot record)")
    return f"Reviewer identity / 审评人身份: the local account ({Identity.local().identity})"
