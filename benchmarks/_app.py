"""Shared by the app benchmarks: a throwaway `workbench serve` and headless Debian Chromium."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextlib.contextmanager
def served(root: Path, *extra: str):
    """Yield (base URL, Voila log path) of `workbench serve ROOT` on a free loopback port, with a
    throwaway cache, data folder and decision store; the server is stopped on exit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="wb-bench-app-") as tmp:
        log_path = Path(tmp) / "voila.log"
        env = {**os.environ, "WORKBENCH_CACHE_DIR": f"{tmp}/cache", "XDG_DATA_HOME": f"{tmp}/data"}
        with open(log_path, "w") as log:
            proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", str(Path(root).resolve()),
                                     f"--port={port}",
                                     f"--db-url=sqlite:///{tmp}/d.sqlite", *extra],
                                    stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp, start_new_session=True)
            try:
                for _ in range(180):
                    try:
                        urllib.request.urlopen(f"{base}/voila/tree", timeout=5)
                        break
                    except OSError:
                        time.sleep(0.5)
                else:
                    raise RuntimeError(f"workbench serve did not answer at {base}: {log_path.read_text()[-2000:]}")
                yield base, log_path
            finally:
                proc.terminate()
                proc.wait(timeout=30)


@contextlib.contextmanager
def chromium():
    """Yield a headless Debian Chromium (Playwright) browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
