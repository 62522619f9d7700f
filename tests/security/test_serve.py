"""`workbench serve` exposes only the app: loopback, no files, no notebooks outside the app folder."""
from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest


def _get(base: str, path: str) -> tuple[int, bytes]:
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request("GET", path)  # path sent as is: no client-side normalisation of '..'
    r = conn.getresponse()
    return r.status, r.read()


def test_listens_on_loopback_only(served_app):
    port = urlsplit(served_app["base"]).port
    addrs = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    others = [a for a in addrs if not a.startswith("127.")]
    for addr in others:
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((addr, port)) != 0, f"app reachable on {addr}"


@pytest.mark.parametrize("path", [
    "/api/contents", "/api/contents/review.ipynb", "/files/review.ipynb", "/api/kernels", "/api/sessions",
    "/voila/files/review.ipynb", "/voila/files/../../../../etc/passwd", "/voila/files/%2e%2e/%2e%2e/etc/passwd",
    "/voila/static/../../../../etc/passwd", "/static/../../etc/passwd", "/tree", "/lab", "/api/kernelspecs",
])
def test_no_file_or_api_access(served_app, path):
    status, body = _get(served_app["base"], path)
    assert status in (403, 404, 405), (path, status)
    assert b"root:" not in body


@pytest.mark.parametrize("path", [
    "/voila/render/%2e%2e/%2e%2e/%2e%2e/%2e%2e/tmp/evil.ipynb",
    "/voila/render/..%2f..%2f..%2f..%2ftmp%2fevil.ipynb",
    "/voila/render//tmp/evil.ipynb",
    "/voila/render/../../../../tmp/evil.ipynb",
])
def test_no_notebook_outside_the_app(served_app, tmp_path_factory, path):
    marker = tmp_path_factory.getbasetemp() / "PWNED"
    evil = {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                       "source": f"open({str(marker)!r}, 'w').write('x')"}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    with open("/tmp/evil.ipynb", "w") as fh:
        json.dump(evil, fh)
    status, _ = _get(served_app["base"], path)
    assert status in (400, 403, 404), (path, status)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["..", "../sample_data", "%2e%2e%2fetc", "/etc", "rct-ucmsc-koa/../../x",
                                  "a'b\"c\nd"])
def test_submission_names_cannot_escape_the_root(tmp_path, name):
    from workbench.discover import UnsafeNameError, resolve_name

    (tmp_path / "ok" / "tabulations").mkdir(parents=True)
    with pytest.raises(UnsafeNameError):
        resolve_name(tmp_path, name)
    assert resolve_name(tmp_path, "ok") == (tmp_path / "ok").resolve()


def test_config_in_the_starting_folder_is_not_read(serve_with, tmp_path):
    """Voila reads voila.py / voila.json from its current folder; `workbench serve` runs it in a folder
    of its own, so a config file where the reviewer happened to start it (a submission folder, say) is
    neither executed nor applied. The app's own settings (response headers, no file downloads) still hold,
    and the console shows no traitlets deprecation warnings."""
    marker = tmp_path / "PWNED"
    for name in ("voila.py", "voila_config.py"):  # Voila loads voila.py and voila.json
        (tmp_path / name).write_text(f"open({str(marker)!r}, 'w').write('x')\n", encoding="utf-8")
    (tmp_path / "voila.json").write_text(json.dumps({"VoilaConfiguration": {"file_allowlist": [".*"]}}))
    (tmp_path / "secret.png").write_bytes(b"\x89PNG not really")
    with serve_with(tmp_path, log_name="voila-config.log") as server:
        u = urlsplit(server["base"])
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        conn.request("GET", "/voila/tree")
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        assert r.getheader("X-Frame-Options") == "SAMEORIGIN" and r.getheader("X-Content-Type-Options") == "nosniff"
        for path in ("/voila/files/secret.png", "/voila/files/voila.json"):
            assert _get(server["base"], path)[0] in (403, 404), path
        log = server["log"].read_text()
    assert not marker.exists()
    assert "DeprecationWarning" not in log, log[-2000:]
