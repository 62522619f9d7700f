"""Widgets built from library objects, without a browser: every tab, both languages, the decision panel."""
from __future__ import annotations

from pathlib import Path

import pytest

from widgets.app import TAB_ORDER, ReviewApp
from widgets.findings import FindingsExplorer
from widgets.tier import TierPanel
from workbench.review import run_review
from workbench.store import DecisionStore

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(scope="module")
def defects():
    return run_review(SAMPLES / "defects-trace-cmc")


@pytest.fixture
def store(tmp_path):
    return DecisionStore(f"sqlite:///{tmp_path / 'd.sqlite'}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_tab_builds(defects, store, lang):
    app = ReviewApp(defects, store, "tester", lang)
    for i in range(len(TAB_ORDER)):
        app.tabs.selected_index = i
    html = repr(app.tabs.children)
    assert "wb-error" not in html and "could not be produced" not in html and "无法生成" not in html
    assert app.tabs.titles[0] == ("概览" if lang == "zh" else "Overview")


def test_language_switch_rebuilds(defects, store):
    app = ReviewApp(defects, store, "tester", "zh")
    app.switch.value = "en"
    assert app.lang == "en" and app.tabs.titles[-1] == "Export"


def test_findings_explorer_filters(defects):
    ex = FindingsExplorer(defects, "en")
    ex.severity.value = "critical"
    labels = [label for label, _ in ex.list.options]
    assert labels and all(label.startswith("critical") for label in labels)
    ex.subject.value = "MH-SLE-103-03-004"
    assert [defects.findings[i].check_id for _, i in ex.list.options] == ["SCR-003"]
    ex.list.value = ex.list.options[0][1]
    assert "informed consent" in ex.detail.value and "RFICDTC" in ex.detail.value


def test_tier_panel_override_needs_reason(defects, store):
    panel = TierPanel(defects, store, "Reviewer Li", "en")
    panel.choice.value = "T1"
    panel._record("override")
    assert "wb-error" in panel.message.value and store.history(defects.submission.submission_id) == []
    panel.reason.value = "CMC defects are being remediated; treat as high risk until then"
    panel._record("override")
    history = store.history(defects.submission.submission_id)
    assert [(e.action, e.tier, e.proposed) for e in history] == [("override", "T1", "T0")]
    assert "remediated" in panel.history.value
    panel._record("signoff")
    assert store.current(defects.submission.submission_id, defects.submission.input_sha256).signed_off
