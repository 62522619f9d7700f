"""`workbench serve` leaves nothing running or lying around when it is stopped (SIGTERM from a service manager or
a test fixture, Ctrl-C from a reviewer). Each test starts its own server in its own process group and kills that
group afterwards, whatever happened."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def server(tmp_path):
    """(Popen of `workbench serve`, port, its TMPDIR); the whole process group is killed at the end."""
    port = _free_port()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "WORKBENCH_CACHE_DIR": str(tmp_path / "cache"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", str(REPO / "sample_data"),
                             f"--port={port}", f"--db-url=sqlite:///{tmp_path / 'd.sqlite'}"],
                            stdout=open(tmp_path / "serve.log", "w"), stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/tree", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"server did not start: {(tmp_path / 'serve.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield proc, port, tmpdir
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)          # serve and the Voila server it started (same group)
            except ProcessLookupError:
                break
            time.sleep(2)
        proc.wait(timeout=30)


def test_sigterm_stops_the_voila_server(server):
    proc, port, _ = server
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _listening(port) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _listening(port), f"port {port} still served after `workbench serve` got SIGTERM"


def test_ctrl_c_leaves_no_temporary_folder(server):
    proc, port, tmpdir = server
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 0
    deadline = time.monotonic() + 20
    while _listening(port) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _listening(port)
    left = sorted(p.name for p in tmpdir.iterdir() if p.name.startswith("workbench-voila-"))
    assert left == []
