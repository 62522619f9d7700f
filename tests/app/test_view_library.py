"""The library side of the reviewer app's views: the filter recomputes the review on the selected subjects, the
URL carries the whole view, a subject's profile gathers that subject's records."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.filters import ViewFilter, filter_options, selected_subjects, subset
from workbench.loader import load_submission
from workbench.profile import UnknownSubjectError, subject_profile
from workbench.review import run_review
from workbench.viewstate import ViewState

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def koa():
    return load_submission(SAMPLES / "rct-ucmsc-koa")


def test_filter_on_sex_recomputes_the_safety_overview(koa):
    dm, ex = koa.domain("DM"), koa.domain("EX")
    females = set(dm.loc[dm["SEX"] == "F", "USUBJID"])
    arm = dm.set_index("USUBJID")["ACTARMCD"]
    expected = {a: len({u for u in set(ex["USUBJID"]) & females if arm[u] == a}) for a in ("PBO", "DL1", "DL2")}
    view = subset(koa, ViewFilter(sexes=("F",)))
    overview = {r["arm"]: r["dosed"] for r in run_review(view).to_dict()["analyses"]["safety"]["overview"]}
    assert overview == expected and sum(expected.values()) < 180
    # clearing the filter gives the full review exactly
    assert subset(koa, ViewFilter()) is koa


def test_filter_options_and_flags_come_from_the_data(koa):
    opts = filter_options(koa)
    assert [a for a, _ in opts["arms"]] == ["PBO", "DL1", "DL2"] and set(opts["sexes"]) == {"F", "M"}
    assert "DOSED" in opts["flags"] and opts["age_bands"]
    assert selected_subjects(koa, ViewFilter(flags=("DOSED",))) == set(koa.study.dosed)


def test_url_round_trip():
    state = ViewState.from_query("submission=rct-ucmsc-koa&lang=en&tab=safety&sex=F&arm=DL1,DL2&age=>=65&q=01-0&"
                                 "subject=UCM-KOA-201-01-001&bogus=1&tab2=x")
    assert (state.submission, state.lang, state.tab, state.subject) == \
        ("rct-ucmsc-koa", "en", "safety", "UCM-KOA-201-01-001")
    assert state.filter == ViewFilter(sexes=("F",), arms=("DL1", "DL2"), age_bands=(">=65",), subjects="01-0")
    assert ViewState.from_query(state.to_query()) == state
    bad = ViewState.from_query("lang=fr&tab=nope&age=old")
    assert (bad.lang, bad.tab, bad.filter.age_bands) == ("zh", "overview", ())


def test_subject_profile_gathers_the_subjects_records(koa):
    review = run_review(koa)
    u = sorted(koa.study.dosed)[0]
    p = subject_profile(koa, u, review.findings)
    ae = koa.domain("AE")
    assert p.demography["ARM"] in ("PBO", "DL1", "DL2") and p.demography["DOSED"] is True
    assert len(p.adverse_events) == int((ae["USUBJID"] == u).sum()) and "TEAE" in p.adverse_events.columns
    assert len(p.exposure) == int((koa.domain("EX")["USUBJID"] == u).sum()) and p.exposure["DAY"].iloc[0] == 1
    assert all(f.usubjid == u for f in p.findings)
    assert pd.Series(p.to_dict()["adverse_events"]).size == len(p.adverse_events)
    with pytest.raises(UnknownSubjectError):
        subject_profile(koa, "NOPE")


def test_every_section_is_a_tab_the_url_can_name():
    from workbench.sections import SECTIONS
    from workbench.viewstate import TABS

    assert list(TABS) == list(SECTIONS)
    assert ViewState.from_query("tab=reconciliation").tab == "reconciliation"


def test_a_filtered_views_tables_state_the_filter(koa):
    from workbench.tables import table_html

    f = ViewFilter(sexes=("F",), arms=("DL1", "PBO"))
    review = run_review(subset(koa, f))
    t = review.table("ae_overview")
    assert t.filter == {"arm": "DL1,PBO", "sex": "F"}
    assert "Filter: arm = DL1,PBO, sex = F" in table_html(t, "en")
    assert "筛选条件: 组别 = DL1,PBO；性别 = F" in table_html(t, "zh")
    assert run_review(koa).table("ae_overview").filter is None
