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
                            start_new_session=True,   # and SIGINT handled even when pytest runs in the background
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
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


def test_the_printed_address_answers_at_once(tmp_path):
    """The URL is printed only once the server accepts connections: a click on it right away never fails."""
    port = _free_port()   # (TMPDIR left alone: kernel sockets live there and a Unix socket path is short)
    env = {**os.environ, "WORKBENCH_CACHE_DIR": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", str(REPO / "sample_data"),
                             f"--port={port}", f"--db-url=sqlite:///{tmp_path / 'd.sqlite'}"],
                            stdout=subprocess.PIPE, stderr=open(tmp_path / "serve.log", "w"), env=env, cwd=tmp_path,
                            start_new_session=True)
    try:
        line = ""
        while not line.startswith("Reviewer app"):      # (the identity banner comes first)
            line = proc.stdout.readline().decode()        # blocks until serve prints its next line
            assert line, (tmp_path / "serve.log").read_text()
        assert line.startswith("Reviewer app / 审评应用: http://127.0.0.1:"), (line, (tmp_path / "serve.log").read_text())
        url = line.split(": ", 1)[1].strip()
        assert _listening(port), "the address was printed before the server listened"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/tree", timeout=30) as r:   # no retry
            assert r.status == 200
        with urllib.request.urlopen(url, timeout=120) as r:      # the printed address itself: the app page
            assert r.status == 200 and b"voila" in r.read().lower()
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            time.sleep(2)
        proc.wait(timeout=30)


def _serve_args(tmp_path, port):
    import argparse

    return argparse.Namespace(root=str(REPO / "sample_data"), host="127.0.0.1", port=port, db_url=None, lang="zh",
                              runs=None, kernel_idle=300)


def test_a_server_that_never_answers_is_a_one_line_error_with_its_log(tmp_path, monkeypatch, capsys):
    """A server that does not answer within the start-up time: no address, one line saying why, its last log lines."""
    import workbench.serve as serve
    import workbench.serve_ready as ready

    monkeypatch.setenv("WORKBENCH_DB_URL", f"sqlite:///{tmp_path / 'd.sqlite'}")
    monkeypatch.setattr(ready, "START_TIMEOUT_S", 2)
    monkeypatch.setattr(serve, "voila_command", lambda *a, **k: [
        sys.executable, "-c", "import time; print('warming up forever', flush=True); time.sleep(120)"])
    t0 = time.monotonic()
    assert serve.main_serve(_serve_args(tmp_path, _free_port())) == 1
    assert time.monotonic() - t0 < 30, "the stuck server was not stopped"
    out, err = capsys.readouterr()
    assert "Reviewer app" not in out and "http://" not in out
    lines = err.splitlines()
    said = [ln for ln in lines if ln.startswith("workbench serve:")]
    assert len(said) == 1 and "did not answer on port" in said[0] and "within 2 s" in said[0], err
    assert "  warming up forever" in lines[lines.index(said[0]) + 1:], err


def test_a_server_that_dies_at_start_says_so_with_its_log(tmp_path, monkeypatch, capsys):
    import workbench.serve as serve

    monkeypatch.setenv("WORKBENCH_DB_URL", f"sqlite:///{tmp_path / 'd.sqlite'}")
    monkeypatch.setattr(serve, "voila_command", lambda *a, **k: [
        sys.executable, "-c", "import sys; print('ERROR | cannot load the template', flush=True); sys.exit(3)"])
    assert serve.main_serve(_serve_args(tmp_path, _free_port())) == 1
    out, err = capsys.readouterr()
    assert "http://" not in out
    assert "stopped (exit code 3) before it answered" in err and "  ERROR | cannot load the template" in err, err


def test_a_port_in_use_is_refused_before_anything_starts(tmp_path, capsys):
    import workbench.serve as serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert serve.main_serve(_serve_args(tmp_path, port)) == 2
    out, err = capsys.readouterr()
    assert "http://" not in out and f"port {port} on 127.0.0.1 is already in use" in err
