"""A closed page's kernel is shut down (Voila's own shutdown request is refused: voila-dashboards/voila#1458)."""
from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.browser


def test_closed_page_kernel_is_culled(browser, serve_with, tmp_path, wait_app):
    with serve_with(tmp_path, "--kernel-idle=15", log_name="voila-kernels.log") as server:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{server['base']}/voila/render/review.ipynb?submission=bare-sdtm&lang=en", wait_until="commit")
        wait_app(page, "Key-information scorecard", server)
        kernel = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        ctx.close()
        log = server["log"]
        assert f"Kernel started: {kernel}" in log.read_text()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and f"Kernel shutdown: {kernel}" not in log.read_text():
            time.sleep(1)
        text = log.read_text()
        assert f"Kernel shutdown: {kernel}" in text, text[-2000:]
        # the kernels waiting in the pools (2 for review pages, 1 for the list) are never culled, however long
        # they wait: at least that many kernels are still alive (a kernel started for a page is culled once idle)
        started = set(re.findall(r"Kernel started: ([0-9a-f-]{36})", text))
        shut = set(re.findall(r"Kernel shutdown: ([0-9a-f-]{36})", text))
        assert len(started - shut) >= 3, text[-3000:]
        assert "running over TCP" not in text  # kernels talk over Unix sockets
