"""`workbench serve` tells the address only once the server answers: its log is passed through (and its
last lines kept for an error message), and the port is polled over HTTP until a response comes back."""
from __future__ import annotations

import collections
import http.client
import socket
import subprocess
import sys
import threading
import time

START_TIMEOUT_S = 90     # for Voila to answer after it was started
TAIL_LINES = 15


class LogTail:
    """Copies a child's output (a pipe) to ``sink`` line by line and keeps its last lines."""

    def __init__(self, pipe, sink=None, keep: int = TAIL_LINES):
        self.lines: collections.deque[str] = collections.deque(maxlen=keep)
        self._pipe, self._sink = pipe, sink if sink is not None else sys.stderr
        self._thread = threading.Thread(target=self._copy, name="serve-log", daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        for raw in iter(self._pipe.readline, b""):
            line = raw.decode("utf-8", errors="replace")
            self.lines.append(line.rstrip("\n"))
            try:
                self._sink.write(line)
                self._sink.flush()
            except (OSError, ValueError):   # our own stderr closed: keep draining the pipe
                pass

    def tail(self, wait: float = 1.0) -> list[str]:
        self._thread.join(timeout=wait)     # a stopped child: its last words are in the pipe
        return list(self.lines)


def answers(host: str, port: int, timeout: float = 2.0) -> bool:
    """Any HTTP response from ``host:port`` (a redirect or an error page counts: the server is up)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("HEAD", "/")
        conn.getresponse()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _probe_host(host: str) -> str:
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def port_taken(host: str, port: int) -> bool:
    """Something already listens there: the app would fail to start, or an address would lead elsewhere."""
    family = socket.AF_INET6 if ":" in _probe_host(host) else socket.AF_INET
    with socket.socket(family) as s:
        s.settimeout(1)
        return s.connect_ex((_probe_host(host), port)) == 0


def wait_until_answering(proc: subprocess.Popen, host: str, port: int, timeout: float | None = None) -> str | None:
    """None once the server answers; else a one-line reason (it stopped, or ``timeout`` seconds passed)."""
    timeout = START_TIMEOUT_S if timeout is None else timeout
    probe = _probe_host(host)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            return f"the server stopped (exit code {proc.returncode}) before it answered on port {port}"
        if answers(probe, port):
            return None
        if time.monotonic() > deadline:
            return f"the server did not answer on port {port} within {timeout:.0f} s"
        time.sleep(0.2)


WARM_UP_TIMEOUT_S = 120.0


def render_once(host: str, port: int, path: str = "/voila/render/index.ipynb",
                timeout: float = WARM_UP_TIMEOUT_S) -> str | None:
    """Render one page (the list of submissions) and read it to the end, before the address is announced: None,
    or why it could not be done (the server still serves; the reviewer's first page is then the first render).

    Why: the address then names a server that has rendered a page (kernel start, template, widgets), not only one
    that accepts connections. It was first added against the "Executing 3 of 4" stall, whose cause was found
    later (a lost wake-up in the server's kernel sockets, fixed by ``voila_patches.patch_missed_wakeup``;
    docs/app.md, "Stalled pages")."""
    conn = http.client.HTTPConnection(_probe_host(host), port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return None if resp.status == 200 else f"HTTP {resp.status}"
    except (OSError, http.client.HTTPException) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Terminate ``proc`` and wait for it; kill it if it has not ended after ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
