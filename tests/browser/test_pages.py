"""Pages served by pre-heated kernels (workbench serve --pool): the request's URL reaches the pooled kernel, a second
page of the same submission loads the cached review, and a page over the time limit says so with a Reload button."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

SLOW_CHECK = '''
import time
from workbench.checks import check


@check("SLOW-001", "safety", "minor", "G-2.2.1", "A check that takes 20 s", "耗时 20 秒的检查")
def slow(sub, out):
    """Never fires; sleeps."""
    time.sleep(20)
'''


def _pool_ready(log: Path, notebook: str = "review.ipynb", timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if f"Kernel pool of {notebook} is filled" in log.read_text(errors="replace"):
            time.sleep(3)   # the kernels are started; give them time to reach the waiting cell
            return
        time.sleep(0.5)
    pytest.fail(f"the {notebook} pool never filled: {log.read_text(errors='replace')[-2000:]}")


def _kernel_of(page) -> str:
    return page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def test_pooled_pages_take_the_url_and_reuse_the_cached_review(browser, serve_with, tmp_path, wait_app):
    with serve_with(tmp_path, "--pool=2", log_name="voila-pool.log") as server:
        log = server["log"]
        _pool_ready(log)
        url = (f"{server['base']}/voila/render/review.ipynb?submission=rct-ucmsc-koa&lang=en&sex=F&tab=safety")
        kernels, stamps = [], []
        for _ in range(2):
            ctx = browser.new_context()
            page = ctx.new_page()
            page.set_default_timeout(180_000)
            page.goto(url, wait_until="commit")
            wait_app(page, "Filtered view", server)
            kernels.append(_kernel_of(page))
            # the view in the URL reached the pooled kernel: the filter and the tab it names are shown
            assert "sex: F" in page.locator(".wb-filter-status").inner_text()
            assert "tab=safety" in page.url and "sex=F" in page.url
            reviews = sorted((tmp_path / "cache" / "reviews").glob("*.pickle"))
            # a cache hit only touches the file (its mtime: most recently used); a review written again is a new
            # file (atomic replace): a new inode
            stamps.append([(p.name, p.stat().st_ino, p.stat().st_size) for p in reviews])
            ctx.close()
            _pool_ready(log)
        text = log.read_text(errors="replace")
        for kernel in kernels:   # both pages were served by pre-heated kernels, not kernels started for them
            assert f"Using pre-heated kernel: {kernel} for review.ipynb" in text
        assert kernels[0] != kernels[1]
        assert len(stamps[0]) == 1, stamps   # one review computed and cached by the first page ...
        assert stamps[1] == stamps[0]         # ... and only read by the second: nothing recomputed or rewritten


def test_a_page_over_the_time_limit_says_so_with_a_reload_button(browser, serve_with, tmp_path, wait_app):
    slow = tmp_path / "slow_check.py"
    slow.write_text(SLOW_CHECK, encoding="utf-8")
    with serve_with(tmp_path, "--pool=1", "--execution-timeout=5", f"--checks={slow}",
                    log_name="voila-timeout.log") as server:
        _pool_ready(server["log"])
        ctx = browser.new_context()
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{server['base']}/voila/render/review.ipynb?submission=bare-sdtm&lang=en", wait_until="commit")
        banner = page.locator("#wb-page-failed")
        banner.wait_for(timeout=120_000)
        text = banner.inner_text()
        assert "did not finish within the server's time limit" in text and "审评未在服务器规定的时间内完成" in text
        kernel = re.search(r"kernel ([0-9a-f-]{36})", text)
        assert kernel, text                                  # the log line names the page's kernel ...
        assert kernel.group(1) in server["log"].read_text(errors="replace")   # ... which the server log knows
        reload_button = page.locator("#wb-page-reload")
        assert reload_button.inner_text() == "Reload / 重新加载"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page-timeout.png"))
        reload_button.click()
        page.wait_for_load_state("commit")
        assert "Traceback" not in page.inner_text("body")
        ctx.close()
