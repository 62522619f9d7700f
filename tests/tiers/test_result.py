"""The review.json `tier` object, bilingual text, facts from a submission, robustness on arbitrary analyses."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tierdata import classify, t0_case, t1_case, t3_case, t4_analyses, t4_facts

from workbench.manifest import Manifest
from workbench.submission import Submission
from workbench.findings import Finding
from workbench.tiers import CRITERION_IDS, TIER_LABELS, Tier, TierFacts, TierInputs, load_rules

RULES = load_rules(None)


def test_labels_exactly_as_spec():
    assert [t.value for t in Tier] == ["T0", "T1", "T2", "T3", "T4"]
    assert TIER_LABELS[Tier.T0][:2] == ("不能作为支持性证据", "not acceptable as supporting evidence")
    assert TIER_LABELS[Tier.T1][:2] == ("安全性风险较高，可能无法获准开展注册临床试验",
                                        "high safety risk; registration trial may not be approved")
    assert TIER_LABELS[Tier.T2][:2] == ("提供初步安全性信息，需扩展探索性试验",
                                        "preliminary safety information; extend exploratory trials")
    assert TIER_LABELS[Tier.T3][:2] == ("初步提示有效性，需开展确证性试验", "preliminary efficacy; confirmatory trial needed")
    assert TIER_LABELS[Tier.T4][:2] == ("足以支持获益风险评估，可能无需重复或继续试验",
                                        "sufficient for benefit-risk assessment; further trials may not be needed")


def test_to_dict_review_json_shape():
    r = classify(*t3_case(), RULES)
    d = r.to_dict()
    assert d["proposed"] == "T3" and d["label_zh"] == Tier.T3.label_zh and d["label_en"] == Tier.T3.label_en
    assert [c["id"] for c in d["criteria"]] == list(CRITERION_IDS)
    for c in d["criteria"]:
        assert {"id", "met", "evidence", "evidence_zh", "tier", "decisive"} <= set(c)
    assert all(isinstance(n, str) for n in d["next_tier_needs"]) and d["next_tier_needs"]
    assert len(d["next_tier_needs_zh"]) == len(d["next_tier_needs"])
    json.dumps(d, allow_nan=False, ensure_ascii=False)


def test_summary_names_decisive_criteria_in_both_languages():
    for case in (t0_case(), t1_case(), t3_case()):
        r = classify(*case, RULES)
        for cid in r.decisive:
            assert cid in r.summary_en and cid in r.summary_zh
        assert r.proposed.label_en in r.summary_en and r.proposed.label_zh in r.summary_zh
    r = classify(*t3_case(), RULES)
    assert "T3 → T4 needs:" in r.summary_en and "T3 → T4 还需：" in r.summary_zh


def test_criteria_after_the_decisive_tier_carry_numbers():
    r = classify(*t1_case(), RULES)            # decided at T1; T4/T3/T2 still evaluated with their numbers
    assert "8 dosed subjects in active arms < 100" in r.criterion("T4.safety_set_size").evidence_en
    assert "8/8" in r.criterion("T3.safety_followup").evidence_en
    assert r.met("T3.efficacy_signal") is True


def test_findings_read_back_from_review_json_classify_the_same():
    f, a, facts = t0_case()
    again = [Finding.from_dict(x.to_dict()) for x in f]
    assert again == f and classify(again, a, facts, RULES).to_dict() == classify(f, a, facts, RULES).to_dict()


def _submission(tmp_path: Path, manifest: Manifest | None, documents: pd.DataFrame | None) -> Submission:
    dm = pd.DataFrame({"USUBJID": ["S1", "S2", "S3", "S4", "S5"],
                       "ARMCD": ["DL1", "DL2", "DL2", "PBO", "SCRNFAIL"],
                       "ACTARMCD": ["DL1", "DL2", None, "PBO", "SCRNFAIL"]})
    ex = pd.DataFrame({"USUBJID": ["S1", "S2", "S3", "S4"], "EXDOSE": [1e6, 3e6, 3e6, 0.0],
                       "EXDOSU": ["cells/kg"] * 4})
    return Submission(root=tmp_path, submission_id="SCX-T", manifest=manifest, datasets={"DM": dm, "EX": ex},
                      documents=documents)


def test_facts_from_submission(tmp_path):
    m = Manifest.model_validate({"prior_exploratory_evidence": True, "study": {
        "design": "randomized_controlled", "stage": "confirmatory",
        "arms": [{"armcd": "PBO", "dose": 0, "control": True}, {"armcd": "DL1", "dose": 1e6},
                 {"armcd": "DL2", "dose": 3e6}],
        "primary_endpoint": {"domain": "QS", "testcd": "WOMACT", "type": "clinical"}}})
    docs = pd.DataFrame({"DOCID": ["D1", "D2", "D3"], "DOCTYPE": ["BIODISTRIBUTION_REPORT", " protocol ", None]})
    facts = TierFacts.from_submission(_submission(tmp_path, m, docs))
    assert (facts.design, facts.stage, facts.endpoint_type, facts.prior_exploratory_evidence) == \
        ("randomized_controlled", "confirmatory", "clinical", True)
    assert facts.document_types == frozenset({"BIODISTRIBUTION_REPORT", "PROTOCOL"})
    assert facts.documents_indexed and facts.dose_levels == 2
    # from the analyses when given
    inputs = TierInputs.from_document(t4_analyses())
    assert TierFacts.from_submission(_submission(tmp_path, m, docs), inputs).dose_levels == 2
    a = t4_analyses()
    a["exposure"][2]["dosed"] = 0
    assert TierFacts.from_submission(_submission(tmp_path, m, docs), TierInputs.from_document(a)).dose_levels == 1


def test_facts_from_bare_submission(tmp_path):
    facts = TierFacts.from_submission(_submission(tmp_path, None, None))
    assert facts.design is None and facts.endpoint_type is None and not facts.prior_exploratory_evidence
    assert facts.document_types == frozenset() and not facts.documents_indexed
    assert facts.dose_levels == 2      # median EXDOSE per actual arm (PBO dosed 0 is no dose level)
    r = classify([], t4_analyses(), facts, RULES)
    assert r.met("T4.randomized_controlled") is None and r.met("T4.clinical_endpoint") is None
    assert "no documents index" in r.criterion("T4.biology_known").evidence_en


# ---- robustness: any shape of analyses gives a complete, JSON-safe result --

_num = st.one_of(st.none(), st.integers(-5, 300), st.floats(allow_nan=True, allow_infinity=True), st.just("x"),
                 st.booleans())
_arm_row = st.fixed_dictionaries({"arm": st.sampled_from(["PBO", "DL1", "DL2"]), "control": st.booleans()},
                                 optional={"dosed": _num, "dose": _num, "related_serious": _num, "fatal": _num,
                                           "meeting_requirement": _num, "deaths": _num, "followed_window": _num,
                                           "n": _num})
_rows = st.one_of(st.none(), st.just("oops"), st.lists(st.one_of(_arm_row, st.integers()), max_size=4))
_analyses = st.one_of(st.none(), st.fixed_dictionaries({}, optional={
    "exposure": _rows,
    "dlt": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
        "levels": _rows, "all_doses_too_toxic": st.one_of(st.none(), st.booleans()), "window_days": _num})),
    "efficacy": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
        "signal": st.one_of(st.none(), st.booleans()),
        "comparison": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
            "p_value": _num, "arms": st.one_of(st.none(), st.lists(st.sampled_from(["PBO", "DL1", "DL9"])))}))})),
    "safety": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
        "overview": _rows, "related_fatal": st.one_of(st.none(), st.lists(st.fixed_dictionaries(
            {"usubjid": st.text(max_size=5)}), max_size=2)), "related_tumorigenicity": st.none()})),
    "stopping_rules": st.one_of(st.none(), st.lists(st.fixed_dictionaries(
        {"id": st.text(max_size=3), "met": st.one_of(st.none(), st.booleans())}), max_size=2)),
    "follow_up": st.one_of(st.none(), _rows,   # rows (review.json) or the dict form of workbench 0.1
                           st.fixed_dictionaries({"arms": _rows}, optional={"required_days": _num})),
}))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(analyses=_analyses, levels=st.one_of(st.none(), st.integers(0, 3)))
def test_any_analyses_give_a_complete_json_safe_result(analyses, levels):
    r = classify([], analyses, t4_facts(dose_levels=levels), RULES)
    d = r.to_dict()
    json.dumps(d, allow_nan=False, ensure_ascii=False)
    assert [c["id"] for c in d["criteria"]] == list(CRITERION_IDS)
    assert all(r.met(cid) is True for cid in r.decisive)          # a proposal rests on met criteria only
    assert d["proposed"] in ("T0", "T1", "T2", "T3", "T4")
