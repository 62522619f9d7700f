"""Shared fixtures: the sample data folder and a running `workbench serve`."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from workbench.serve_ready import stop

import pytest

os.environ.setdefault("OPENPYXL_LXML", "False")   # as workbench/__init__.py: reproducible sample XLSX bytes

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_data"
ARTIFACTS = REPO / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _announced(log: Path, timeout: float = 180) -> None:
    """`workbench serve` prints the address once the first page has rendered (serve_ready.render_once)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Reviewer app / 审评应用:" in log.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.3)
    raise RuntimeError(f"workbench serve never announced its address within {timeout} s")


@contextlib.contextmanager
def serving(tmp: Path, *extra: str, log_name: str = "voila.log", root: Path = SAMPLES):
    """`workbench serve ROOT` (default sample_data) on a free loopback port, with a throwaway decision store and cache
    in ``tmp``."""
    port = _free_port()
    env = {**os.environ, "WORKBENCH_CACHE_DIR": str(tmp / "cache"), "XDG_DATA_HOME": str(tmp / "data")}
    log = open(tmp / log_name, "w")
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", str(root),
                             f"--port={port}", f"--db-url=sqlite:///{tmp / 'decisions.sqlite'}", *extra],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/voila/tree")
        _announced(tmp / log_name)
        yield {"base": base, "db": tmp / "decisions.sqlite", "log": tmp / log_name, "proc": proc}
    finally:
        stop(proc)
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp / log_name, ARTIFACTS / log_name)


@pytest.fixture(scope="session")
def served_app(tmp_path_factory):
    """`workbench serve sample_data` on a free loopback port, with a throwaway decision store and cache."""
    with serving(tmp_path_factory.mktemp("serve")) as server:
        yield server


@pytest.fixture(scope="session")
def serve_with():
    """`serving` for a test (or a module's fixture) that needs its own server with extra `workbench serve`
    options."""
    return serving
