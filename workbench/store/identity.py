"""Who records an entry: an identity from the deployment, never typed into a text box.

Two sources (stored in every entry as ``identity_source``):

- ``header:NAME`` - the request header NAME set by the review centre's authenticating reverse proxy or by
  JupyterHub (``workbench serve --user-header NAME``; Voila hands the header to the page's kernel as the
  environment variable ``HTTP_NAME``). A request without it has no identity and cannot record anything.
- ``local`` - the operating-system account running the process, recorded as ``local:<user>`` (a reviewer's
  own laptop, a script calling the API).

Entries written before identities were recorded have the source ``unrecorded``.
"""
from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import DecisionError

LOCAL = "local"
UNRECORDED = "unrecorded"
LOCAL_PREFIX = "local:"
ENV_USER_HEADER = "WORKBENCH_USER_HEADER"
MAX_IDENTITY = 200
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Identity:
    """An authenticated identity (``alice``, ``local:wang``), where it came from (``header:X-Remote-User``,
    ``local``), and the printed name its holder goes by (the roles file's name wins over this one)."""

    identity: str
    source: str
    name: str | None = None

    @classmethod
    def local(cls, name: str | None = None) -> Identity:
        """The operating-system account running this process: ``local:<user>``."""
        user = _os_user()
        return cls(LOCAL_PREFIX + user, LOCAL, name or _full_name(user) or None)

    @property
    def printed_name(self) -> str:
        return self.name or self.identity


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):   # a uid without a passwd entry (some containers)
        return f"uid{os.getuid()}"


def _full_name(user: str) -> str:
    try:
        import pwd

        gecos = pwd.getpwnam(user).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError):
        return ""
    return gecos if gecos and gecos.isprintable() else ""


def check_header_name(name: str) -> str:
    """A request-header name usable with ``--user-header`` (letters, digits and ``-``); raises ValueError."""
    if not isinstance(name, str) or not _HEADER_NAME.match(name):
        raise ValueError(f"--user-header {name!r}: a header name has letters, digits and '-' only "
                         f"(e.g. X-Remote-User) / 请求头名称只能包含字母、数字和“-”")
    return name


def header_env_var(name: str) -> str:
    """The environment variable Voila gives the kernel for header ``name`` (RFC 3875 4.1.18): HTTP_X_REMOTE_USER."""
    return "HTTP_" + check_header_name(name).upper().replace("-", "_")


def _refuse(header: str, en: str, zh: str) -> DecisionError:
    return DecisionError(f"not authenticated: {en}; nothing can be recorded (open the app through the review "
                         f"centre's sign-in)",
                         f"未通过身份认证：{zh}；不能记录任何内容（请通过审评中心的登录入口打开应用）", "identity")


def identity_from_header(header: str, value: str | None) -> Identity:
    """The identity a proxy put in ``header``; a JupyterHub JSON user record (``{"name": ...}``, as
    jhsingle-native-proxy's ``--forward-user-info`` sends) gives its ``name``. Raises :class:`DecisionError`."""
    check_header_name(header)
    raw = (value or "").strip()
    if not raw:
        raise _refuse(header, f"the request carried no {header} header",
                      f"请求中没有 {header} 请求头")
    if raw.startswith("{"):
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        raw = record.get("name") if isinstance(record, dict) else None
        if not isinstance(raw, str) or not raw.strip():
            raise _refuse(header, f"the {header} header holds no user name",
                          f"{header} 请求头中没有用户名")
        raw = raw.strip()
    if len(raw) > MAX_IDENTITY or not raw.isprintable() or "," in raw:
        raise _refuse(header, f"the {header} header does not hold one user name",
                      f"{header} 请求头不是单个用户名")
    if raw.startswith(LOCAL_PREFIX):
        raise _refuse(header, f"the {header} header names a local account ({raw})",
                      f"{header} 请求头给出的是本机账户（{raw}）")
    return Identity(raw, f"header:{header}")


def identity_from_environ(environ: Mapping[str, str] | None = None) -> Identity:
    """The identity of the page's request: the header named by ``$WORKBENCH_USER_HEADER`` (set by
    ``workbench serve --user-header``), else the local account. Raises :class:`DecisionError` when the header
    is required and missing."""
    env = os.environ if environ is None else environ
    header = (env.get(ENV_USER_HEADER) or "").strip()
    if not header:
        return Identity.local()
    return identity_from_header(header, env.get(header_env_var(header)))


def source_label(source: str | None, lang: str = "zh") -> str:
    """``header:X-Remote-User`` / ``local`` / ``unrecorded`` with a short explanation in ``lang`` (zh, en, both)."""
    code = source or UNRECORDED
    if code.startswith("header:"):
        zh, en = "认证代理请求头", "authenticating proxy header"
    elif code == LOCAL:
        zh, en = "本机账户", "operating-system account"
    elif code == UNRECORDED:
        zh, en = "未记录", "not recorded"
    else:
        return code
    if lang == "zh":
        return f"{code}（{zh}）"
    if lang == "en":
        return f"{code} ({en})"
    return f"{code}（{zh} / {en}）"
