"""Fixtures: a real `workbench serve` on a free loopback port, and headless Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser


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


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`workbench serve sample_data` with a throwaway decision store and cache."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/setup.sh --test installs it)")
    tmp = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {**os.environ, "WORKBENCH_CACHE_DIR": str(tmp / "cache"), "XDG_DATA_HOME": str(tmp / "data")}
    log = open(tmp / "voila.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", str(REPO / "sample_data"),
                             f"--port={port}", f"--db-url=sqlite:///{tmp / 'decisions.sqlite'}"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/voila/tree")
        yield {"base": base, "db": tmp / "decisions.sqlite", "log": tmp / "voila.log", "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp / "voila.log", ARTIFACTS / "voila.log")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(120_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: _offline(r.url, errors))
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    ctx.close()
    assert not [e for e in errors if e.startswith("offline:")], errors


def _offline(url: str, errors: list[str]) -> None:
    """Every request must stay on this machine (no CDN)."""
    if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")):
        return
    errors.append(f"offline: request to {url}")


def wait_app(page, text: str) -> None:
    """Wait until ``text`` is visible and no widget is still loading."""
    page.get_by_text(text).first.wait_for(state="visible")
    page.wait_for_function("!document.body.innerText.includes('Loading widget')", timeout=60_000)
