"""The Voila reviewer app in a real headless Chromium (screenshots in test-artifacts/browser/)."""
from __future__ import annotations

import getpass
import re
import time

import pytest

pytestmark = pytest.mark.browser


def review_url(server, name: str, lang: str = "zh") -> str:
    return f"{server['base']}/voila/render/review.ipynb?submission={name}&lang={lang}"


def _no_traceback(page) -> None:
    text = page.inner_text("body")
    assert "Traceback" not in text and "Loading widget" not in text


def test_index_lists_samples_with_tiers(server, page, wait_app):
    page.goto(f"{server['base']}/voila/render/index.ipynb", wait_until="commit")
    wait_app(page, "rct-ucmsc-koa")
    table = page.locator(".wb-submission-list")
    page.wait_for_function("document.querySelectorAll('.wb-submission-list .wb-badge').length >= 7",
                           timeout=300_000)
    for name in ("fih-ipsc-parkinson", "defects-trace-cmc", "bare-sdtm"):
        assert name in table.inner_text()
    assert table.locator(".wb-badge").count() == 7
    assert "T4" in table.inner_text() and "T1" in table.inner_text()
    _no_traceback(page)


def test_review_shows_proposed_tier(server, page, wait_app):
    t0 = time.monotonic()
    page.goto(review_url(server, "rct-ucmsc-koa"), wait_until="commit")
    wait_app(page, "关键信息完整性记分卡")
    elapsed = time.monotonic() - t0
    badge = page.locator(".wb-proposed-tier").first
    assert badge.inner_text().startswith("T4")
    print(f"rct-ucmsc-koa rendered in {elapsed:.1f} s")
    _no_traceback(page)


def test_planted_finding_visible_after_filtering(server, page, wait_app):
    page.goto(review_url(server, "defects-trace-cmc", "en"), wait_until="commit")
    wait_app(page, "Key-information scorecard")
    page.get_by_role("tab", name="Completeness").click()
    explorer = page.locator(".wb-findings-explorer")
    explorer.wait_for()
    explorer.locator("select").nth(1).select_option(label="critical")
    listbox = explorer.locator(".wb-findings-list select")
    page.wait_for_function(  # the filter round-trips through the kernel: wait for the filtered list
        "(() => { const o = [...document.querySelectorAll('.wb-findings-list option')];"
        " return o.length > 0 && o.every(x => x.textContent.startsWith('critical')); })()")
    options = listbox.locator("option").all_inner_texts()
    assert options and all(o.startswith("critical") for o in options)
    sterility = [o for o in options if "CMC-002" in o]
    assert sterility, options
    listbox.select_option(label=sterility[0])
    detail = page.locator(".wb-finding-detail")
    detail.get_by_text("Records behind this finding").wait_for()
    assert "CMC-002" in detail.inner_text()
    _no_traceback(page)


def test_plotly_figure_present(server, page, wait_app):
    """Figures are drawn by the plotly.js this server serves, loaded once per page (widgets.figure_html), not by
    JupyterLab's plotly extension; the overview's figure comes once the page has painted (widgets.deferred)."""
    plotly_requests = []
    page.on("request", lambda r: plotly_requests.append(r.url) if "plotly" in r.url.lower() else None)
    page.goto(review_url(server, "fih-ipsc-parkinson", "en"), wait_until="commit")
    wait_app(page, "Key-information scorecard")
    page.locator(".wb-review-app .js-plotly-plot .main-svg").first.wait_for()   # the completeness heatmap
    page.get_by_role("tab", name="Dose–response").click()
    visible = page.locator(".js-plotly-plot >> visible=true")
    visible.first.wait_for(state="visible")
    assert visible.count() >= 2  # dose-DLT response and efficacy by dose
    assert visible.first.locator(".main-svg").count() >= 1  # drawn by plotly.js, not an empty box
    assert page.locator(".wb-figure-pending").count() == 0
    assert len(plotly_requests) == 1 and "/voila/templates/wb-offline/static/plotly.min.js?v=" in plotly_requests[0], \
        plotly_requests
    assert "MTD" in page.locator(".wb-review-app").inner_text()
    _no_traceback(page)


def test_language_switch_relabels(server, page, wait_app):
    page.goto(review_url(server, "auto-msc-cirrhosis"), wait_until="commit")
    wait_app(page, "关键信息完整性记分卡")
    assert page.get_by_role("tab", name="概览").count() == 1
    page.get_by_role("button", name="English").click()
    wait_app(page, "Key-information scorecard")
    for label in ("Overview", "Completeness", "Safety", "Evidence tier"):
        assert page.get_by_role("tab", name=label).count() == 1
    assert "关键信息完整性记分卡" not in page.inner_text(".wb-review-app")
    _no_traceback(page)


def test_override_recorded_and_visible_after_reload(server, page, wait_app):
    reason = f"Sentinel interval too short at site 02 — browser test {time.time():.0f}"
    page.goto(review_url(server, "gb18030-esc-amd", "en"), wait_until="commit")
    wait_app(page, "Key-information scorecard")
    page.get_by_role("tab", name="Evidence tier").click()
    panel = page.locator(".wb-tier-panel")
    panel.wait_for()
    proposed = panel.locator(".wb-proposed-tier").inner_text()[:2]
    other = "T1" if proposed != "T1" else "T2"
    # no name to type: without --user-header the reviewer is the account running the server, shown as such
    assert panel.locator("input[type=text]").count() == 0
    me = f"local:{getpass.getuser()}"
    assert me in panel.locator(".wb-identity").inner_text()
    panel.locator("select").first.select_option(other)
    panel.locator("textarea").fill(reason)
    panel.get_by_role("button", name="Override").click()
    page.locator(".wb-recorded").wait_for()
    assert "tab=tier" in page.url                      # the view is in the URL: a reload reopens this tab
    page.reload(wait_until="commit")
    wait_app(page, "Audit history")
    history = page.locator(".wb-audit-history")
    history.get_by_text(reason).wait_for()
    assert re.search(rf"Override \(proposed {proposed}, decided {other}\)", history.inner_text())
    assert me in history.inner_text() and "+00:00 (UTC)" in history.inner_text()
    _no_traceback(page)


def test_override_without_reason_refused(server, page, wait_app):
    page.goto(review_url(server, "fih-ipsc-parkinson", "en"), wait_until="commit")
    wait_app(page, "Key-information scorecard")
    page.get_by_role("tab", name="Evidence tier").click()
    panel = page.locator(".wb-tier-panel")
    panel.locator("select").first.select_option("T0")
    panel.get_by_role("button", name="Override").click()
    panel.locator(".wb-error").wait_for()
    assert "reason" in panel.locator(".wb-error").inner_text()
