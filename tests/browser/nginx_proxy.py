"""A real authenticating reverse proxy for the tests: Debian's nginx on loopback, run in the foreground with its own
prefix, configuration, logs and password file in a temporary folder. Basic authentication; the authenticated user
is forwarded to the app in a header (any such header the client sent is replaced); websockets are passed through
(the app's kernels talk over them)."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from workbench.serve_ready import stop

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """\
{user}worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 256; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}/tmp/body;
  proxy_temp_path {d}/tmp/proxy;
  fastcgi_temp_path {d}/tmp/fastcgi;
  uwsgi_temp_path {d}/tmp/uwsgi;
  scgi_temp_path {d}/tmp/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port};
    auth_basic "stem-cell review workbench";
    auth_basic_user_file {d}/htpasswd;
    location {prefix} {{
      proxy_pass http://127.0.0.1:{app_port}/;         # the prefix is stripped

      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header {header} {value};          # replaces whatever the client sent
      proxy_set_header Authorization "";               # the password stays at the proxy
      proxy_set_header Upgrade $http_upgrade;          # websockets: the kernels' channels
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
      proxy_buffering off;
    }}
  }}
}}
"""


def ssha(password: str) -> str:
    """An nginx password-file entry ({SSHA}: salted SHA-1, which nginx reads natively)."""
    salt = os.urandom(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def nginx_proxy(folder: Path, app_port: int, users: dict[str, str], header: str = "X-Remote-User",
                value: str = "$remote_user", prefix: str = "/"):
    """nginx on a free loopback port in front of ``app_port``, serving it under ``prefix``; yields its base URL.
    ``users``: name -> password; ``value``: what goes into ``header`` (nginx syntax, e.g. a JSON record)."""
    if not Path(NGINX).exists():
        raise FileNotFoundError("nginx is not installed (scripts/setup.sh --test installs it)")
    d = folder / f"nginx{prefix.strip('/').replace('/', '-')}"
    (d / "tmp").mkdir(parents=True, exist_ok=True)
    (d / "htpasswd").write_text("".join(f"{u}:{ssha(p)}\n" for u, p in users.items()), encoding="utf-8")
    port = _free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""      # workers must read the password file in this folder
    (d / "nginx.conf").write_text(CONF.format(user=user, d=d, port=port, app_port=app_port, header=header,
                                             value=value if value.startswith("$") else f"'{value}'", prefix=prefix),
                                  encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", f"{d}/", "-c", str(d / "nginx.conf"), "-e", str(d / "error.log"),
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2)
            except urllib.error.HTTPError as exc:
                if exc.code == 401:                              # up, and asking for a password
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode(errors='replace')[-2000:]}"
                                   if proc.poll() is not None else "nginx did not answer within 20 s")
            time.sleep(0.1)
        yield {"base": base, "port": port, "folder": d}
    finally:
        stop(proc, timeout=10)
