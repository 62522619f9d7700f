"""Each tier T0–T4 is reached by an input built for it, and the evaluation order of evidence-tiers.md holds."""
from __future__ import annotations

import pytest
from tierdata import (classify, finding, t0_case, t0_fallback_case, t1_case, t2_case, t3_case, t4_analyses, t4_facts)

from workbench.tiers import CRITERION_IDS, load_rules


@pytest.fixture(scope="module")
def rules():
    return load_rules(None)


def test_t4_reached(rules):
    r = classify([], t4_analyses(), t4_facts(), rules)
    assert r.proposed.value == "T4"
    assert r.decisive == [c for c in CRITERION_IDS if c.startswith("T4.")]
    assert r.next_tier is None and r.next_tier_needs == []


def test_t3_reached(rules):
    r = classify(*t3_case(), rules)
    assert r.proposed.value == "T3"
    assert r.decisive == ["T3.efficacy_signal", "T3.dosed_subjects", "T3.safety_followup"]
    assert r.next_tier.value == "T4"
    # single arm, 8 dosed, documents missing: what T4 still needs
    needs = " | ".join(r.next_tier_needs)
    assert "randomized_controlled" in needs and "≥ 100 dosed" in needs and "BIODISTRIBUTION_REPORT" in needs
    assert len(r.next_tier_needs_zh) == len(r.next_tier_needs)


def test_t2_reached(rules):
    r = classify(*t2_case(), rules)
    assert r.proposed.value == "T2"
    assert r.decisive == ["T2.evaluable_safety"]
    assert r.met("T3.efficacy_signal") is False
    assert r.next_tier.value == "T3"
    assert any("efficacy signal" in n for n in r.next_tier_needs)


def test_t1_reached(rules):
    r = classify(*t1_case(), rules)
    assert r.proposed.value == "T1"
    assert r.decisive == ["T1.related_death"]
    assert "SCX-001-0003" in r.criterion("T1.related_death").evidence_en
    assert r.next_tier.value == "T2"
    assert any("SCX-001-0003" in n for n in r.next_tier_needs)


def test_t0_reached_by_critical_finding(rules):
    r = classify(*t0_case(), rules)
    assert r.proposed.value == "T0"
    assert r.decisive == ["T0.critical_findings"]
    c = r.criterion("T0.critical_findings")
    assert c.findings == ("TRC-002",) and "TRC-002 ×1" in c.evidence_en and "TRC-002" in c.evidence_zh


def test_t0_reached_when_nothing_else_applies(rules):
    r = classify(*t0_fallback_case(), rules)
    assert r.proposed.value == "T0"
    assert r.decisive == ["T0.no_safety_data"]
    assert r.met("T0.no_safety_data") is True and r.met("T2.evaluable_safety") is False
    assert r.next_tier.value == "T2"
    assert any("≥ 3 subjects dosed with the product (active arms) followed for the 28-day DLT window (now 2)" in n
               for n in r.next_tier_needs)


def test_t0_no_dosed_subjects(rules):
    a = t4_analyses()
    for row in a["exposure"]:
        if not row["control"]:
            row["dosed"] = 0
    r = classify([], a, t4_facts(), rules)
    assert r.proposed.value == "T0" and "T0.no_dosed_subjects" in r.decisive


def test_t0_no_safety_data_at_step_1_beats_t1(rules):
    """No safety analysis at all: T0 at step 1, ahead of any T1 rule."""
    f, a, facts = t1_case()
    a["safety"] = None
    a["stopping_rules"] = [{"id": "SR1", "met": True, "max_subjects": 3, "threshold": 2, "scope": "study"}]
    r = classify(f, a, facts, rules)
    assert r.proposed.value == "T0" and r.decisive == ["T0.no_safety_data"]
    assert r.met("T1.stopping_rule_unresolved") is True     # still evaluated and reported
    assert r.met("T1.related_death") is None


def test_t1_beats_t4(rules):
    a = t4_analyses()
    a["stopping_rules"][0].update(met=True, max_subjects=2)
    r = classify([], a, t4_facts(), rules)
    assert r.proposed.value == "T1" and r.decisive == ["T1.stopping_rule_unresolved"]
    assert all(r.met(c) is True for c in CRITERION_IDS if c.startswith("T4."))   # T4 criteria all met, reported


def test_critical_finding_beats_everything(rules):
    a = t4_analyses()
    a["safety"]["related_fatal"] = [{"usubjid": "S-1", "aeseq": 1, "aedecod": "Death"}]
    a["dlt"]["all_doses_too_toxic"] = True
    r = classify([finding("CMC-002", "process_quality", "critical")], a, t4_facts(), rules)
    assert r.proposed.value == "T0" and r.decisive == ["T0.critical_findings"]
    assert r.met("T1.related_death") is True and r.met("T1.all_doses_too_toxic") is True
    # T0 → T2 needs names the critical finding and the T1 signals to resolve
    needs = " | ".join(r.next_tier_needs)
    assert "CMC-002" in needs and "S-1" in needs


def test_t4_beats_t3_and_t2(rules):
    r = classify([], t4_analyses(), t4_facts(), rules)
    assert r.met("T3.efficacy_signal") and r.met("T3.dosed_subjects") and r.met("T3.safety_followup")
    assert r.met("T2.evaluable_safety") is True
    assert r.proposed.value == "T4"


def test_every_criterion_reported_in_spec_order(rules):
    for case in (t0_case(), t0_fallback_case(), t1_case(), t2_case(), t3_case()):
        r = classify(*case, rules)
        assert [c.id for c in r.criteria] == list(CRITERION_IDS)
        for c in r.criteria:
            assert c.met in (True, False, None)
            assert c.evidence_en and c.evidence_zh


def test_empty_analyses_never_raise(rules):
    for analyses in (None, {}, {"exposure": None, "safety": {"overview": None}}):
        r = classify([], analyses, t4_facts(document_types=set()), rules)
        assert r.proposed.value == "T0" and r.decisive == ["T0.no_safety_data"]
        nulls = [c for c in r.criteria if c.met is None]
        assert nulls and all("not evaluable" in c.evidence_en and "无法评价" in c.evidence_zh for c in nulls)


def test_inputs_not_modified(rules):
    import copy
    f, a, facts = t1_case()
    before = copy.deepcopy(a)
    classify(f, a, facts, rules)
    assert a == before


def test_no_ae_dataset_is_no_safety_data(tmp_path):
    """A submission without AE: the safety overview's zeros mean "no data", not "no adverse event"."""
    import shutil
    from pathlib import Path

    from workbench.review import run_review

    src = Path(__file__).resolve().parents[2] / "sample_data" / "fih-ipsc-parkinson"
    sub = tmp_path / "no-ae"
    shutil.copytree(src, sub)
    for name in ("ae.xpt", "suppae.xpt"):
        (sub / "tabulations" / name).unlink()
    tier = run_review(sub).to_dict()["tier"]
    crit = {c["id"]: c for c in tier["criteria"]}
    assert crit["T0.no_safety_data"]["met"] is True and "no AE dataset" in crit["T0.no_safety_data"]["evidence"]
    assert tier["proposed"] == "T0" and "T0.no_safety_data" in tier["decisive"]


def test_window_follow_up_is_days_only(rules):
    """T2/T3 count subjects followed for the DLT window; a death or DLT inside the window is not follow-up."""
    f, a, facts = t2_case()
    a["follow_up"][0].update(dosed=8, followed_window=2)     # e.g. 6 of 8 died or stopped before day 28
    r = classify(f, a, facts, rules)
    assert r.met("T2.evaluable_safety") is False and r.proposed.value == "T0"
    assert "2 subjects dosed with the product followed ≥ 28 days < 3" in r.criterion("T2.evaluable_safety").evidence_en
