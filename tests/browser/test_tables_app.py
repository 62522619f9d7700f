"""The standard tables and the eDISH plot in the app's Safety tab, in Chinese and English, in a real Chromium;
screenshots in test-artifacts/browser/ (safety-tables-<lang>.png, safety-edish-<lang>.png)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

pytestmark = pytest.mark.browser

SAFETY = {"zh": ("安全性", "关键信息完整性记分卡", "不良事件概览", "肝脏安全性（eDISH）", "代码"),
          "en": ("Safety", "Key-information scorecard", "Overview of treatment-emergent adverse events",
                 "Hepatic safety (eDISH)", "Code")}
RAW = re.compile(r"\b(?:True|False|nan|NaN|None|[a-z]+_[a-z0-9_]+)\b")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_safety_tables_and_edish_legible(server, page, wait_app, lang):
    tab, ready, overview_title, hepatic_title, code = SAFETY[lang]
    page.goto(f"{server['base']}/voila/render/review.ipynb?submission=safety-signal-agvhd&lang={lang}",
              wait_until="commit")
    wait_app(page, ready)
    page.get_by_role("tab", name=tab).click()
    table = page.locator("[data-table-id=ae_overview] >> visible=true").first
    table.wait_for(state="visible", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=120_000)
    panel = page.locator(".wb-review-app .widget-tab-contents >> visible=true").first
    text = panel.inner_text()
    assert overview_title in text and hepatic_title in text and "eDISH" in text
    assert "(N=12)" in text and "12 (100.0)" in text             # N in the header, n (%) cells
    assert not RAW.findall(text), sorted(set(RAW.findall(text)))[:20]   # no field name, no Python value
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    table.scroll_into_view_if_needed()
    table.screenshot(path=str(ARTIFACTS / f"safety-tables-{lang}.png"))
    edish = page.locator(".js-plotly-plot", has_text="eDISH").first
    edish.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    edish.screenshot(path=str(ARTIFACTS / f"safety-edish-{lang}.png"))
    assert edish.locator(".scatterlayer .point").count() >= 12   # one point per evaluable subject
    toggle = table.locator("details.wb-code summary", has_text=code)
    toggle.click()
    assert "tables.build_table(sub, 'ae_overview')" in table.locator("details.wb-code pre").inner_text()


def test_export_tab_offers_xlsx_docx_csv(server, page, wait_app):
    page.goto(f"{server['base']}/voila/render/review.ipynb?submission=fih-ipsc-parkinson&lang=en",
              wait_until="commit")
    wait_app(page, "Key-information scorecard")
    page.get_by_role("tab", name="Export").click()
    page.get_by_role("button", name="Prepare downloads").click()
    links = page.locator(".wb-export-links a")
    page.wait_for_function("document.querySelectorAll('.wb-export-links a').length >= 5", timeout=180_000)
    names = [links.nth(i).get_attribute("download") for i in range(links.count())]
    assert {"HX-DAP-101-tables.xlsx", "HX-DAP-101-review.docx", "HX-DAP-101-tables-csv.zip"} <= set(names)
