"""A closed page's kernel is shut down (Voila's own shutdown request is refused: voila-dashboards/voila#1458)."""
from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.browser


def test_closed_page_kernel_is_culled(browser, serve_with, tmp_path, wait_app):
    with serve_with(tmp_path, "--kernel-idle=3", log_name="voila-kernels.log") as server:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{server['base']}/voila/render/review.ipynb?submission=bare-sdtm&lang=en", wait_until="commit")
        wait_app(page, "Key-information scorecard", server)
        ctx.close()
        log = server["log"]
        started = re.findall(r"Kernel started: ([0-9a-f-]{36})", log.read_text())
        assert len(started) == 1
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and f"Kernel shutdown: {started[0]}" not in log.read_text():
            time.sleep(1)
        text = log.read_text()
        assert f"Kernel shutdown: {started[0]}" in text, text[-2000:]
        assert "running over TCP" not in text  # kernels talk over Unix sockets
