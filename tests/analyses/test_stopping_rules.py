"""Stopping rules: met exactly at the threshold, not met one below; cohort vs study scope; filters."""
from __future__ import annotations

from analysis_builders import ARMS, dm_rows, ex_rows, make_sub, manifest
from workbench.analyses.stopping_rules import stopping_rules_analysis


def _sub(ae, rules):
    spec = {"DL1": 3, "DL2": 3}
    man = manifest(arms=ARMS[1:], stopping_rules=rules)
    return make_sub({"DM": dm_rows(spec), "EX": ex_rows(spec, {"DL1": 1.0, "DL2": 3.0}), "AE": ae}, man)


def _ae(u, grade, rel="RELATED", ser="N", term="Pyrexia", start="2021-01-15"):
    return {"USUBJID": u, "AESEQ": 1, "AEDECOD": term, "AETERM": term, "AESTDTC": start, "AETOXGR": grade,
            "AEREL": rel, "AESER": ser}


RULE = {"id": "SR1", "scope": "cohort", "min_grade": 4, "related_only": True, "threshold": 2}


def test_met_exactly_at_threshold():
    ae = [_ae("S-DL1-1", 4), _ae("S-DL1-2", 5)]
    r = stopping_rules_analysis(_sub(ae, [RULE])).to_dict()
    assert r == [{"id": "SR1", "description": None, "met": True, "max_subjects": 2, "threshold": 2, "scope": "cohort",
                  "by_cohort": {"DL1": 2}, "subjects": ["S-DL1-1", "S-DL1-2"]}]


def test_not_met_one_below_threshold_and_filters():
    ae = [_ae("S-DL1-1", 4),
          _ae("S-DL1-1", 4),                       # same subject twice: still one subject
          _ae("S-DL1-2", 3),                       # grade below min_grade
          _ae("S-DL1-3", 4, rel="NOT RELATED"),    # not related
          _ae("S-DL2-1", 4),                       # other cohort
          _ae("S-DL1-2", 4, start="2020-12-01")]   # before dosing: not a TEAE
    r = stopping_rules_analysis(_sub(ae, [RULE])).to_dict()[0]
    assert r["met"] is False and r["max_subjects"] == 1 and r["by_cohort"] == {"DL1": 1, "DL2": 1}


def test_study_scope_pools_cohorts_and_terms_filter():
    ae = [_ae("S-DL1-1", 4), _ae("S-DL2-1", 4), _ae("S-DL2-2", 4, term="Headache")]
    rules = [dict(RULE, id="SR2", scope="study"), dict(RULE, id="SR3", scope="study", terms=["pyrexia"])]
    r = stopping_rules_analysis(_sub(ae, rules)).to_dict()
    assert r[0]["met"] is True and r[0]["max_subjects"] == 3 and r[0]["by_cohort"] == {"(study)": 3}
    assert r[1]["max_subjects"] == 2


def test_serious_only():
    ae = [_ae("S-DL1-1", 4, ser="Y"), _ae("S-DL1-2", 4, ser="N")]
    r = stopping_rules_analysis(_sub(ae, [dict(RULE, serious_only=True)])).to_dict()[0]
    assert r["met"] is False and r["max_subjects"] == 1


def test_no_rules_gives_reason():
    res = stopping_rules_analysis(_sub([], []))
    assert res.to_dict() == [] and res.reason_dict()["reason_code"] == "no_stopping_rules"
