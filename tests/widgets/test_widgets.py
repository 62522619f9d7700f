"""Widgets built from library objects, without a browser: every tab, both languages, the decision panel."""
from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest

from widgets.app import TAB_ORDER, ReviewApp
from widgets.findings import FindingsExplorer
from widgets.tier import TierPanel
from workbench.review import run_review
from workbench.store import DecisionError, DecisionStore, Identity

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
    store.apply_roles({"identities": {"alice": "reviewer", "bob": {"role": "lead", "name": "李组长 Bob Li"}}})
    alice = Identity("alice", "header:X-Remote-User")
    panel = TierPanel(defects, store, alice, "en")
    panel.choice.value = "T1"
    panel._record("override")
    assert "wb-error" in panel.message.value and store.history(defects.submission.submission_id) == []
    panel.reason.value = "CMC defects are being remediated; treat as high risk until then"
    panel._record("override")
    history = store.history(defects.submission.submission_id)
    assert [(e.action, e.tier, e.proposed, e.identity) for e in history] == [("override", "T1", "T0", "alice")]
    assert "remediated" in panel.history.value and "alice" in panel.history.value
    assert "Override (proposed T0, decided T1)" in panel.history.value
    panel._record("signoff")                                  # a reviewer, and her own decision: refused
    assert "wb-refused" in panel.message.value and "only a lead" in panel.message.value
    assert "four-eyes" in panel.message.value and len(store.history(defects.submission.submission_id)) == 1
    lead = TierPanel(defects, store, Identity("bob", "header:X-Remote-User"), "zh")
    assert "李组长 Bob Li" in lead.who.value and "组长" in lead.who.value
    lead._record("signoff")
    assert "wb-recorded" in lead.message.value
    cur = store.current(defects.submission.submission_id, defects.submission.input_sha256)
    assert cur.signed_off and cur.signoff.identity == "bob" and cur.signoff.reviewer == "李组长 Bob Li"
    assert "签署" in lead.current.value and "(bob)" in lead.current.value


def test_tier_panel_shows_the_identity_not_a_text_box(defects, store):
    panel = TierPanel(defects, store, Identity("alice", "header:X-Remote-User"), "en")
    assert not [c for c in _descendants(panel) if isinstance(c, w.Text)]
    assert "alice" in panel.who.value and "header:X-Remote-User" in panel.who.value


def test_tier_panel_without_identity_records_nothing(defects, store):
    from workbench.store import identity_from_environ

    with pytest.raises(DecisionError) as exc:
        identity_from_environ({"WORKBENCH_USER_HEADER": "X-Remote-User"})
    panel = TierPanel(defects, store, None, "en", identity_error=exc.value)
    assert all(b.disabled for b in (panel.btn_confirm, panel.btn_override, panel.btn_signoff))
    assert "wb-identity-missing" in panel.who.value
    assert "X-Remote-User" in panel.who.value and "未通过身份认证" in panel.who.value   # both languages
    panel._record("confirm")
    assert store.entries() == []


def _descendants(widget):
    for child in getattr(widget, "children", ()):
        yield child
        yield from _descendants(child)


def test_figure_bundle_is_plotlys_mimetype_bundle(defects):
    """The app displays figures with the very bundle plotly's 'plotly_mimetype' renderer would produce."""
    import plotly.io as pio

    from widgets.common import plotly_bundle
    from workbench import figure_hooks

    for fig in (figure_hooks.completeness(defects, "en"), figure_hooks.swimmer(defects, "zh")):
        expected = pio.renderers["plotly_mimetype"].to_mimebundle(fig.to_dict())
        assert plotly_bundle(fig) == expected
        assert plotly_bundle(fig)["application/vnd.plotly.v1+json"]["data"]


def test_decision_store_opened_with_the_tier_tab(defects, store):
    """The app opens the decision store only when the evidence-tier tab is first shown, once."""
    calls = []

    def opener():
        calls.append(1)
        return store, ""

    app = ReviewApp(defects, None, "tester", "en", open_store=opener)
    assert calls == []
    app.tabs.selected_index = TAB_ORDER.index("completeness")
    assert calls == []
    app.tabs.selected_index = TAB_ORDER.index("tier")
    assert calls == [1] and app.store is store
    panel = app.tabs.children[TAB_ORDER.index("tier")]
    assert isinstance(panel, TierPanel) and not panel.btn_confirm.disabled
    app.switch.value = "zh"
    app.tabs.selected_index = TAB_ORDER.index("tier")
    assert calls == [1]


def test_unavailable_store_reported_in_the_tier_tab(defects):
    app = ReviewApp(defects, None, "tester", "en", open_store=lambda: (None, "decision store unavailable: boom"))
    app.tabs.selected_index = TAB_ORDER.index("tier")
    content = app.tabs.children[TAB_ORDER.index("tier")]
    assert "decision store unavailable: boom" in content.children[0].value
    assert content.children[1].btn_confirm.disabled
