"""Every bundled sample, every section of the app, in a real browser: nothing left loading, no error, no empty panel."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from workbench.discover import discover
from workbench.sections import SECTIONS

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

pytestmark = pytest.mark.browser

NAMES = sorted(p.name for p in discover(SAMPLES))
FAILURE_TEXT = ("Traceback", "Loading widget", "could not be produced", "This section could not be shown",
                "review failed", "cannot review")


def test_all_samples_discovered():
    assert len(NAMES) == 7


@pytest.mark.parametrize("name", NAMES)
def test_every_section_renders(server, page, wait_app, name):
    t0 = time.monotonic()
    page.goto(f"{server['base']}/voila/render/review.ipynb?submission={name}&lang=en", wait_until="commit")
    wait_app(page, "Key-information scorecard")
    print(f"{name}: app rendered in {time.monotonic() - t0:.1f} s")
    app = page.locator(".wb-review-app")
    for key, (_, title) in SECTIONS.items():
        page.get_by_role("tab", name=title, exact=True).click()
        panel = page.locator(".wb-review-app .widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)")
        page.wait_for_function(  # the section is built in the kernel when its tab is first opened
            "(() => { const p = [...document.querySelectorAll("
            "'.wb-review-app .widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)')];"
            " return p.length === 1 && p[0].innerText.trim().length > 0"
            " && !p[0].innerText.includes('Loading…') && !p[0].innerText.includes('Loading widget'); })()")
        if key == "export":  # the panel is one button until the downloads are prepared
            panel.get_by_role("button").click()
            page.locator(".wb-export-links a").nth(1).wait_for()
            names = [a.get_attribute("download") for a in page.locator(".wb-export-links a").all()]
            assert sorted(n.rsplit("-", 1)[-1] for n in names) == ["csv.zip", "report.html", "review.docx",
                                                                   "review.json", "tables.xlsx"], names
        text = panel.inner_text()
        assert len(text.strip()) > 20, f"{name}/{key}: nearly empty panel: {text!r}"
        bad = [f for f in FAILURE_TEXT if f in text]
        assert not bad, f"{name}/{key}: {bad}: {text[:500]}"
        if key in ("dose_response", "safety", "process_quality", "follow_up"):
            figures = panel.locator(".js-plotly-plot")
            if figures.count():
                assert figures.first.locator(".main-svg").count() >= 1, f"{name}/{key}: figure not drawn"
    assert app.count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"every-section-{name}.png"), full_page=True)
