"""Every criterion flipped at its boundary (values just on each side of the threshold)."""
from __future__ import annotations

import pytest
from tierdata import classify, finding, t3_case, t4_analyses, t4_facts

from workbench.tiers import load_rules, upgrade_analyses


@pytest.fixture(scope="module")
def rules():
    return load_rules(None)


def _one_arm_overview(a: dict, dosed: int, related_serious: int) -> None:
    a["safety"]["overview"] = [
        {"arm": "PBO", "control": True, "dosed": 40, "related_serious": 30, "fatal": 0},   # control never rated
        {"arm": "DL1", "control": False, "dosed": dosed, "related_serious": related_serious, "fatal": 0},
    ]


@pytest.mark.parametrize("dosed,rs,met", [(100, 20, False), (100, 21, True), (5, 1, False), (10, 2, False),
                                          (15, 3, False), (10, 3, True), (3, 1, True)])
def test_related_sae_rate_strictly_above_020(rules, dosed, rs, met):
    a = t4_analyses()
    _one_arm_overview(a, dosed, rs)
    r = classify([], a, t4_facts(), rules)
    assert r.met("T1.related_sae_rate") is met
    assert (r.proposed.value == "T1") is met


def test_related_sae_rate_arm_below_min_dosed_not_rated(rules):
    a = t4_analyses()
    _one_arm_overview(a, 2, 2)            # 100% but only 2 dosed: not rated
    r = classify([], a, t4_facts(), rules)
    assert r.met("T1.related_sae_rate") is None
    assert "DL1 2" in r.criterion("T1.related_sae_rate").evidence_en


@pytest.mark.parametrize("dosed,met", [(99, False), (100, True)])
def test_t4_safety_set_size_100(rules, dosed, met):
    a = t4_analyses(active=(dosed - 50, 50))
    r = classify([], a, t4_facts(), rules)
    assert r.met("T4.safety_set_size") is met
    assert r.proposed.value == ("T4" if met else "T3")


def _follow(a: dict, meeting: int, deaths: int = 0, dosed: int = 100, control_meeting: int = 40) -> None:
    a["exposure"] = [e for e in a["exposure"] if e["control"]] + \
        [{"arm": "DL1", "dose": 1e6, "dose_unit": "cells/kg", "control": False, "enrolled": dosed, "dosed": dosed},
         {"arm": "DL2", "dose": 3e6, "dose_unit": "cells/kg", "control": False, "enrolled": 0, "dosed": 0}]
    a["follow_up"] = [
        {"arm": "PBO", "control": True, "dosed": 40, "meeting_requirement": control_meeting, "deaths": 0,
         "followed_window": 40},
        {"arm": "DL1", "control": False, "dosed": dosed, "meeting_requirement": meeting, "deaths": deaths,
         "followed_window": dosed}]


# 140 dosed (PBO 40, all followed, + DL1 100): 80% is 112 subjects
@pytest.mark.parametrize("meeting,deaths,met", [(71, 0, False), (72, 0, True), (67, 4, False), (67, 5, True),
                                                (71, 30, True)])
def test_t4_follow_up_80_percent_deaths_count(rules, meeting, deaths, met):
    a = t4_analyses()
    _follow(a, meeting, deaths)
    r = classify([], a, t4_facts(prior_exploratory_evidence=True), rules)
    c = r.criterion("T4.follow_up")
    assert c.met is met
    assert c.values["dosed"] == 140
    assert c.values["meeting_requirement"] + c.values["deaths_counted"] <= 140   # nobody counted twice


def test_t4_follow_up_counts_the_control_arm(rules):
    """Control subjects with EX records are dosed subjects (analyses.md): a poorly followed placebo arm
    keeps a study from T4 although every active subject was followed."""
    a = t4_analyses()
    _follow(a, 100, control_meeting=0)          # 100/140 = 71% < 80%
    r = classify([], a, t4_facts(prior_exploratory_evidence=True), rules)
    c = r.criterion("T4.follow_up")
    assert c.met is False and c.values["dosed"] == 140 and c.values["meeting_requirement"] == 100
    assert r.proposed.value != "T4"


def test_t4_follow_up_deaths_before_requirement_preferred(rules):
    a = t4_analyses()
    _follow(a, 70, deaths=5)                                     # PBO 40 met: 110 + deaths counted of 140
    a["follow_up"][1]["deaths_before_requirement"] = 1     # 4 of the 5 deaths already met the requirement
    r = classify([], a, t4_facts(prior_exploratory_evidence=True), rules)
    assert r.met("T4.follow_up") is False and r.criterion("T4.follow_up").values["deaths_counted"] == 1


@pytest.mark.parametrize("p,met", [(0.05, False), (0.049, True), (0.0499999, True), (0.2, False)])
def test_t4_p_value_below_005(rules, p, met):
    a = t4_analyses()
    a["efficacy"]["comparison"]["p_value"] = p
    r = classify([], a, t4_facts(), rules)
    assert r.met("T4.efficacy_significant") is met
    assert r.proposed.value == ("T4" if met else "T3")


def test_t4_efficacy_p_missing_is_null(rules):
    a = t4_analyses()
    a["efficacy"]["comparison"]["p_value"] = float("nan")
    r = classify([], a, t4_facts(), rules)
    assert r.met("T4.efficacy_significant") is None and r.proposed.value == "T3"


@pytest.mark.parametrize("design,stage,met", [
    ("randomized_controlled", "confirmatory", True), ("randomized_controlled", "exploratory_and_confirmatory", True),
    ("randomized_controlled", "exploratory", False), ("nonrandomized_controlled", "confirmatory", False),
    ("single_arm", None, False), (None, "confirmatory", None), ("randomized_controlled", None, None)])
def test_t4_randomized_controlled(rules, design, stage, met):
    r = classify([], t4_analyses(), t4_facts(design=design, stage=stage), rules)
    assert r.met("T4.randomized_controlled") is met


@pytest.mark.parametrize("etype,met", [("clinical", True), ("validated_surrogate", False), ("biomarker", False),
                                       (None, None)])
def test_t4_clinical_endpoint(rules, etype, met):
    r = classify([], t4_analyses(), t4_facts(endpoint_type=etype), rules)
    assert r.met("T4.clinical_endpoint") is met


@pytest.mark.parametrize("levels,prior,met", [(1, False, False), (2, False, True), (1, True, True),
                                              (0, True, True), (None, False, True)])
def test_t4_dose_explored(rules, levels, prior, met):
    # levels None: taken from analyses.exposure (two active doses)
    r = classify([], t4_analyses(), t4_facts(dose_levels=levels, prior_exploratory_evidence=prior), rules)
    assert r.met("T4.dose_explored") is met


def test_t4_dose_explored_counts_doses_not_arms(rules):
    a = t4_analyses()
    a["exposure"][2]["dose"] = a["exposure"][1]["dose"]       # two arms, one dose
    r = classify([], a, t4_facts(), rules)
    assert r.met("T4.dose_explored") is False
    assert r.criterion("T4.dose_explored").values["dose_levels"] == 1


@pytest.mark.parametrize("docs,met", [({"BIODISTRIBUTION_REPORT", "NONCLINICAL_SUMMARY"}, True),
                                      ({"BIODISTRIBUTION_REPORT"}, False), ({"NONCLINICAL_SUMMARY"}, False),
                                      (set(), False)])
def test_t4_biology_known(rules, docs, met):
    r = classify([], t4_analyses(), t4_facts(document_types=docs), rules)
    c = r.criterion("T4.biology_known")
    assert c.met is met
    if not met:
        assert all(d in c.evidence_en for d in {"BIODISTRIBUTION_REPORT", "NONCLINICAL_SUMMARY"} - docs)


@pytest.mark.parametrize("f,met", [
    (finding("SAF-003", "safety", "major"), False), (finding("EFF-003", "efficacy", "major"), False),
    (finding("FUP-002", "follow_up", "major"), False), (finding("FUP-002", "follow_up", "info"), True),
    (finding("SAF-002", "safety", "minor"), True), (finding("CMC-004", "process_quality", "major"), True),
    (finding("TRC-001", "compliance_integrity", "major"), True)])
def test_t4_no_major_findings_open(rules, f, met):
    r = classify([f], t4_analyses(), t4_facts(), rules)
    c = r.criterion("T4.no_major_findings_open")
    assert c.met is met
    assert r.proposed.value == ("T4" if met else "T3")
    if not met:
        assert c.findings == (f.check_id,) and f"{f.check_id} ×1" in c.evidence_en


@pytest.mark.parametrize("dosed,met", [(5, False), (6, True)])
def test_t3_dosed_subjects_6(rules, dosed, met):
    f, a, facts = t3_case()
    a["exposure"][0]["dosed"] = dosed
    a["follow_up"][0].update(dosed=dosed, followed_window=dosed)
    r = classify(f, a, facts, rules)
    assert r.met("T3.dosed_subjects") is met
    assert r.proposed.value == ("T3" if met else "T2")


def test_t3_dosed_subjects_counts_signal_arms_only(rules):
    f, a, facts = t3_case()
    a["exposure"].append({"arm": "DL2", "dose": 3e6, "dose_unit": "cells/kg", "control": False, "dosed": 10})
    a["exposure"][0]["dosed"] = 5
    a["efficacy"]["comparison"]["arms"] = ["DL1"]
    r = classify(f, a, facts, rules)
    assert r.met("T3.dosed_subjects") is False       # the signal is in DL1 (5 dosed), not in DL2


@pytest.mark.parametrize("followed,met", [(79, False), (80, True)])
def test_t3_safety_followup_80_percent(rules, followed, met):
    f, a, facts = t3_case()
    a["exposure"][0]["dosed"] = 100
    a["follow_up"][0].update(dosed=100, followed_window=followed)
    r = classify(f, a, facts, rules)
    assert r.met("T3.safety_followup") is met
    assert r.proposed.value == ("T3" if met else "T2")


@pytest.mark.parametrize("followed,met", [(2, False), (3, True)])
def test_t2_evaluable_safety_3(rules, followed, met):
    f, a, facts = t3_case()
    a["efficacy"]["signal"] = False
    a["follow_up"][0].update(followed_window=followed)
    r = classify(f, a, facts, rules)
    assert r.met("T2.evaluable_safety") is met
    assert r.proposed.value == ("T2" if met else "T0")


def test_t2_uses_dlt_evaluable_when_follow_up_missing(rules):
    f, a, facts = t3_case()
    a["efficacy"]["signal"] = False
    a["follow_up"] = None
    r = classify(f, a, facts, rules)
    assert r.met("T2.evaluable_safety") is True and "dlt.levels" in r.criterion("T2.evaluable_safety").evidence_en


@pytest.mark.parametrize("met_rule,review,expected", [(True, False, True), (True, True, False), (False, False, False)])
def test_t1_stopping_rule_unresolved(rules, met_rule, review, expected):
    f, a, facts = t3_case()
    a["stopping_rules"][0]["met"] = met_rule
    docs = set(facts.document_types) | ({"STOPPING_RULE_REVIEW"} if review else set())
    r = classify(f, a, t4_facts(design="single_arm", stage="exploratory", document_types=docs), rules)
    assert r.met("T1.stopping_rule_unresolved") is expected
    assert (r.proposed.value == "T1") is expected


def test_t1_related_tumorigenicity(rules):
    f, a, facts = t3_case()
    a["safety"]["related_tumorigenicity"] = [
        {"usubjid": "S-9", "aeseq": 4, "aedecod": "Teratoma",
         "aebodsys": "Neoplasms benign, malignant and unspecified (incl cysts and polyps)"}]
    r = classify(f, a, facts, rules)
    assert r.proposed.value == "T1" and r.decisive == ["T1.related_tumorigenicity"]
    assert "Teratoma" in r.criterion("T1.related_tumorigenicity").evidence_zh


@pytest.mark.parametrize("flag,met", [(True, True), (False, False), (None, None)])
def test_t1_all_doses_too_toxic(rules, flag, met):
    f, a, facts = t3_case()
    a["dlt"]["all_doses_too_toxic"] = flag
    if flag:
        a["dlt"].update(mtd=None, mtd_reason="all doses too toxic")
    r = classify(f, a, facts, rules)
    assert r.met("T1.all_doses_too_toxic") is met
    assert (r.proposed.value == "T1") is bool(met)


def test_t1_related_death_from_overview_when_listing_missing(rules):
    f, a, facts = t3_case()
    del a["safety"]["related_fatal"]
    assert classify(f, a, facts, rules).met("T1.related_death") is False   # overview: no fatal TEAE at all
    a["safety"]["overview"][0]["fatal"] = 1
    assert classify(f, a, facts, rules).met("T1.related_death") is None    # a death, relatedness unknown


def test_control_arms_never_rated_even_when_only_exposure_says_so(rules):
    a = t4_analyses()
    for row in a["safety"]["overview"]:
        row.pop("control")
    a["safety"]["overview"][0]["related_serious"] = 30     # PBO, control per analyses.exposure
    assert classify([], a, t4_facts(), rules).met("T1.related_sae_rate") is False


def test_only_control_subjects_dosed_is_no_dosed_subjects(rules):
    a = t4_analyses()
    for row in a["exposure"]:
        row["dosed"] = 0 if not row["control"] else 40
    r = classify([], a, t4_facts(), rules)
    assert r.proposed.value == "T0" and "T0.no_dosed_subjects" in r.decisive
    assert "control arms 40" in r.criterion("T0.no_dosed_subjects").evidence_en


def test_follow_up_in_the_old_dict_form_reads_the_same(rules):
    """review.json written before analyses.follow_up became a list ({"required_days", "arms": [...]}) is
    classified the same way once upgraded by the one explicit upgrade function."""
    a = t4_analyses()
    _follow(a, 71, deaths=0)
    new = classify([], a, t4_facts(prior_exploratory_evidence=True), rules)
    old = dict(a, follow_up={"required_days": 730, "window_days": 28, "arms": a["follow_up"]})
    del old["follow_up_summary"]
    was = classify([], upgrade_analyses(old), t4_facts(prior_exploratory_evidence=True), rules)
    assert [(c.id, c.met, c.evidence_en) for c in was.criteria] == [(c.id, c.met, c.evidence_en) for c in new.criteria]
    assert "730 days" in new.criterion("T4.follow_up").evidence_en
