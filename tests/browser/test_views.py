"""The reviewer's views in Chromium (issue 15): the global filter recomputes the safety tables and round-trips
through the page URL, a subject id in a listing opens that subject's profile and Back returns, a reviewer overlay
on a bare SDTM folder changes the efficacy analysis and is in the audit log, and the CDISC pilot served as it is
offers its own sites, sexes and races and the profile of a placebo subject.

Expected numbers are computed here from the datasets themselves (pandas / pyreadstat), not through the workbench."""
from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
KOA = REPO / "sample_data" / "rct-ucmsc-koa" / "tabulations"
ARTIFACTS = REPO / "test-artifacts" / "browser"
N_RE = re.compile(r"^(.*?)\s*\(N=(\d+)\)$", re.S)


def _real_sdtm_root() -> Path:
    spec = importlib.util.spec_from_file_location("realdata_support", REPO / "tests" / "realdata" / "realdata_support.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.real_sdtm_root(), mod.read_xpt


def _koa() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (pd.read_csv(KOA / "dm.csv", dtype=str), pd.read_parquet(KOA / "ex.parquet"), pd.read_parquet(KOA / "ae.parquet"))


def _female_dosed_by_arm() -> dict[str, int]:
    """Female subjects with at least one EX record, by planned arm code (DM.ARMCD), and the total."""
    dm, ex, _ = _koa()
    dosed = set(ex["USUBJID"])
    f = dm[(dm["SEX"] == "F") & dm["USUBJID"].isin(dosed)]
    counts = f.groupby("ARMCD").size().to_dict()
    return {**{k: int(v) for k, v in counts.items()}, "Total": int(len(f))}


def _overview_ns(page, table: str = "ae_overview") -> dict[str, int]:
    """The column labels and N of a standard table's header, as the reviewer sees them."""
    heads = page.locator(f"[data-table-id={table}] thead th >> visible=true").all_inner_texts()
    out = {}
    for h in heads:
        m = N_RE.match(h.strip())
        if m:
            out[" ".join(m.group(1).split())] = int(m.group(2))
    return out


def _wait_ns(page, expected: dict[str, int], timeout: float = 120) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    got = {}
    while time.monotonic() < deadline:
        try:
            got = _overview_ns(page)
        except Exception:  # noqa: BLE001 - the tab is being rebuilt
            got = {}
        if got == expected:
            return got
        time.sleep(0.5)
    return got


def _select(page, css: str, starts: str) -> None:
    """Choose, in an ipywidgets select box, the option whose text starts with ``starts``."""
    sel = page.locator(f"{css} select").first
    texts = [t.replace("\xa0", " ") for t in sel.locator("option").all_inner_texts()]   # ipywidgets: nbsp
    index = next((i for i, t in enumerate(texts) if t.strip().startswith(starts)), None)
    assert index is not None, (css, starts, texts)
    sel.select_option(index=index)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _clean(page) -> None:
    """No traceback, no Python value and no loading placeholder reaches the reviewer."""
    body = page.inner_text("body")
    assert "Traceback" not in body and "Loading widget" not in body
    assert not re.findall(r"\b(?:True|False|nan|NaN|None)\b", body), body[:3000]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_filter_sets_the_safety_n_and_round_trips_through_the_url(server, page, wait_app, lang):
    expected = _female_dosed_by_arm()
    total_label = "Total" if lang == "en" else "合计"
    expected = {(total_label if k == "Total" else k): v for k, v in expected.items()}
    page.goto(f"{server['base']}/voila/render/review.ipynb?submission=rct-ucmsc-koa&lang={lang}&tab=safety",
              wait_until="commit")
    wait_app(page, "Overview of treatment-emergent adverse events" if lang == "en" else "不良事件概览")
    full = _overview_ns(page)
    assert full[total_label] > expected[total_label]          # the whole study first
    page.locator(".wb-filter-accordion").get_by_text("Filter (" if lang == "en" else "筛选（").first.click()
    _select(page, ".wb-filter-sex", "F")
    page.locator(".wb-filter-apply").click()
    assert _wait_ns(page, expected) == expected               # N per arm = female dosed subjects from DM / EX
    stated = page.locator("[data-table-id=ae_overview] >> visible=true").first.inner_text()
    assert ("Filter: sex = F" if lang == "en" else "筛选条件: 性别 = F") in stated   # the table states its filter
    assert "sex: F" in page.locator(".wb-filter-status").inner_text() or "sex" in page.url
    assert "sex=F" in page.url and "tab=safety" in page.url and f"lang={lang}" in page.url
    _clean(page)
    _shot(page, f"views-filtered-safety-{lang}")
    url = page.url
    # the URL is the view: a colleague opening it sees the same filtered table
    other = page.context.new_page()
    other.goto(url, wait_until="commit")
    wait_app(other, "Overview of treatment-emergent adverse events" if lang == "en" else "不良事件概览")
    assert _wait_ns(other, expected) == expected
    other.close()
    # clearing the filter restores the whole study exactly
    page.locator(".wb-filter-clear").click()
    assert _wait_ns(page, full) == full
    assert "sex=" not in page.url


def test_profile_from_the_sae_listing_and_back(server, page, wait_app):
    dm, ex, ae = _koa()
    page.goto(f"{server['base']}/voila/render/review.ipynb?submission=rct-ucmsc-koa&lang=en&tab=safety",
              wait_until="commit")
    wait_app(page, "Listing of serious adverse events")
    link = page.locator("[data-table-id=sae_listing] a.wb-subject-link >> visible=true").first
    subject = link.get_attribute("data-usubjid")
    assert subject in set(ae.loc[ae["AESER"] == "Y", "USUBJID"])
    link.click()
    page.locator(".wb-profile-title").wait_for()
    assert subject in page.locator(".wb-profile-title").inner_text()
    assert f"subject={subject}" in page.url
    aes = page.locator(".wb-profile-adverse_events").inner_text()
    for term in ae.loc[ae["USUBJID"] == subject, "AEDECOD"].dropna().unique():
        assert term in aes, (term, aes[:500])
    doses = page.locator(".wb-profile-exposure").inner_text()
    mine = ex[ex["USUBJID"] == subject]
    assert len(mine) and all(str(lot) in doses for lot in mine["EXLOT"].dropna().unique())
    arm = dm.loc[dm["USUBJID"] == subject, "ARMCD"].iloc[0]
    assert arm in page.locator(".wb-profile").inner_text()
    _clean(page)
    _shot(page, "views-profile-en")
    page.locator(".wb-profile-back").click()
    page.locator("[data-table-id=sae_listing] >> visible=true").first.wait_for()
    # the kernel writes the URL back a moment after the listing shows again (a CI run read it too early)
    page.wait_for_function("() => !location.search.includes('subject=')", timeout=15000)
    assert "subject=" not in page.url and "tab=safety" in page.url


def test_a_click_on_a_swimmer_bar_opens_that_subjects_profile(server, page, wait_app):
    """Figures are drawn by the served plotly.js (widgets.figure_html); the page's figure hook (widgets.links) still
    turns a click on a subject's bar in the swimmer plot into that subject's profile."""
    _, ex, _ = _koa()
    page.goto(f"{server['base']}/voila/render/review.ipynb?submission=rct-ucmsc-koa&lang=en&tab=safety",
              wait_until="commit")
    wait_app(page, "Subject timelines")
    swimmer = page.locator(".js-plotly-plot", has_text="Subject timelines").first
    bar = swimmer.locator(".barlayer .point path").first
    bar.wait_for()
    page.wait_for_function("[...document.querySelectorAll('.js-plotly-plot')].some(gd => gd.__wbHooked)")
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(".wb-profile-title").wait_for()
    # the kernel writes the profile's view into the URL a moment after the profile shows (as after Back above)
    page.wait_for_function("() => location.search.includes('subject=')", timeout=15000)
    subject = re.search(r"subject=([^&]+)", page.url).group(1)
    assert subject in set(ex["USUBJID"]) and subject in page.locator(".wb-profile-title").inner_text()
    _clean(page)


def test_profile_by_url_in_chinese(server, page, wait_app):
    _, ex, ae = _koa()
    subject = sorted(set(ae.loc[ae["AESER"] == "Y", "USUBJID"]))[0]
    page.goto(f"{server['base']}/voila/render/review.ipynb?submission=rct-ucmsc-koa&lang=zh&subject={subject}",
              wait_until="commit")
    wait_app(page, "受试者档案")
    body = page.locator(".wb-profile").inner_text()
    assert subject in body and "不良事件" in body and "给药记录" in body
    assert str(ex.loc[ex["USUBJID"] == subject, "EXLOT"].iloc[0]) in body
    _clean(page)
    _shot(page, "views-profile-zh")


def test_overlay_on_a_bare_folder_changes_efficacy_and_is_audited(browser, serve_with, tmp_path, wait_app):
    from workbench.store import DecisionStore

    with serve_with(tmp_path, log_name="voila-overlay.log") as server:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        base = f"{server['base']}/voila/render/review.ipynb?submission=bare-sdtm&lang=en"
        page.goto(f"{base}&tab=dose_response", wait_until="commit")
        wait_app(page, "Efficacy comparison", server)
        assert page.locator("td:text-is('POOLED')").count() == 0   # no primary endpoint: nothing to compare
        page.goto(base, wait_until="commit")
        wait_app(page, "Reviewer-supplied facts", server)
        assert page.get_by_text("Reviewer-supplied facts (never written into the submission)").count() == 0
        _select(page, ".wb-ov-ep_domain", "VS")
        page.wait_for_function("[...document.querySelectorAll('.wb-ov-ep_testcd option')]"
                               ".some(o => o.textContent.trim() === 'SYSBP')")
        _select(page, ".wb-ov-ep_testcd", "SYSBP")
        _select(page, ".wb-ov-ep_visit", "DAY 90")
        page.locator(".wb-overlay-save").click()
        # the review is recomputed with it, and the overlay is shown as reviewer-supplied where it is used
        page.get_by_text("Reviewer-supplied facts (never written into the submission)").first.wait_for()
        pooled = page.locator("td:text-is('POOLED') >> visible=true").first
        for attempt in range(3):   # the app was just rebuilt: a click racing its first render can be undone
            page.get_by_role("tab", name="Dose–response").click()
            try:
                pooled.wait_for(timeout=30_000)   # the comparisons are computed
                break
            except Exception:  # noqa: BLE001
                if attempt == 2:
                    _shot(page, "views-overlay-failed")
                    raise   # the comparisons are computed
        panel = page.locator(".wb-review-app .widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)").first.inner_text()
        endpoint = panel.split("Primary endpoint and its source", 1)[-1][:300]
        assert "SYSBP" in endpoint and "reviewer overlay" in endpoint, endpoint
        _clean(page)
        ctx.close()
        store = DecisionStore(f"sqlite:///{server['db']}")
        overlay, _ = store.overlay("bare-sdtm")
        assert overlay.primary_endpoint.domain == "VS" and overlay.primary_endpoint.testcd == "SYSBP"
        assert [e.action for e in store.history("bare-sdtm")] == ["overlay"]
        assert store.verify_chain().ok
        assert not any(p.name.startswith("overlay") for p in (REPO / "sample_data" / "bare-sdtm").iterdir())


@pytest.fixture(scope="module")
def pilot_server(serve_with, tmp_path_factory):
    root, _ = _real_sdtm_root()
    with serve_with(tmp_path_factory.mktemp("pilot"), root=root, log_name="voila-pilot.log") as server:
        yield server


def test_pilot_filter_offers_its_own_values_and_a_placebo_profile(browser, pilot_server, wait_app):
    root, read_xpt = _real_sdtm_root()
    dm = read_xpt(root / "cdiscpilot01" / "dm.xpt")
    ex = read_xpt(root / "cdiscpilot01" / "ex.xpt")
    ae = read_xpt(root / "cdiscpilot01" / "ae.xpt")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    page.goto(f"{pilot_server['base']}/voila/render/review.ipynb?submission=cdiscpilot01&lang=en",
              wait_until="commit")
    wait_app(page, "Key-information scorecard", pilot_server)
    options = {key: [t.replace("\xa0", " ").strip() for t in page.locator(f".wb-filter-{key} select option").all_inner_texts()]
               for key in ("site", "sex", "race")}
    assert sorted(options["site"]) == sorted(dm["SITEID"].unique())
    assert sorted(o.split(" · ")[0] for o in options["sex"]) == sorted(dm["SEX"].unique())
    assert sorted(options["race"]) == sorted(dm["RACE"].unique())
    page.goto(f"{pilot_server['base']}/voila/render/review.ipynb?submission=cdiscpilot01&lang=en&subject=01-701-1015",
              wait_until="commit")
    wait_app(page, "Subject profile", pilot_server)
    assert dm.loc[dm["USUBJID"] == "01-701-1015", "ARMCD"].iloc[0] == "Pbo"
    prof = page.locator(".wb-profile").inner_text()
    assert "Pbo" in prof
    exp = page.locator(".wb-profile-exposure").inner_text()
    mine = ex[ex["USUBJID"] == "01-701-1015"]
    assert set(mine["EXTRT"]) == {"PLACEBO"} and "PLACEBO" in exp
    assert exp.count("PLACEBO") == len(mine)                  # every placebo EX record, dose 0 shown as 0
    aes = page.locator(".wb-profile-adverse_events").inner_text()
    for term in ae.loc[ae["USUBJID"] == "01-701-1015", "AEDECOD"].unique():
        assert term in aes, (term, aes[:500])
    _clean(page)
    _shot(page, "views-pilot-profile-en")
    ctx.close()
