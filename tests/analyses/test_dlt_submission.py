"""DLT per dose level from a submission: evaluability, definitions, BOIN MTD, explored range (G-2.2.2c)."""
from __future__ import annotations

import pytest

from analysis_builders import make_sub, manifest
from workbench.analyses.dlt import dlt_analysis

ARMS = [{"armcd": "DL1", "dose": 1, "dose_unit": "10^6 cells/kg"},
        {"armcd": "DL2", "dose": 3, "dose_unit": "10^6 cells/kg"},
        {"armcd": "DL3", "dose": 10, "dose_unit": "10^6 cells/kg"},
        {"armcd": "DL4", "dose": 30, "dose_unit": "10^6 cells/kg"}]     # never dosed


def _sub(dlts: dict[str, int], n: dict[str, int], short: set = frozenset(), flag=True, definition="flag"):
    dm, ex, sv, ae = [], [], [], []
    for arm, k in n.items():
        for i in range(1, k + 1):
            u = f"{arm}-{i}"
            dm.append({"USUBJID": u, "ARMCD": arm, "ACTARMCD": arm})
            ex.append({"USUBJID": u, "EXDOSE": {"DL1": 1, "DL2": 3, "DL3": 10}[arm], "EXDOSU": "10^6 cells/kg",
                       "EXSTDTC": "2021-01-01"})
            sv.append({"USUBJID": u, "SVSTDTC": "2021-01-11" if u in short else "2021-03-01"})
            if i <= dlts.get(arm, 0):
                rec = {"USUBJID": u, "AESEQ": 1, "AEDECOD": "Neutropenia", "AESTDTC": "2021-01-08", "AETOXGR": 3,
                       "AEREL": "RELATED", "AESER": "N"}
                if flag:
                    rec["AEDLT"] = "Y"
                ae.append(rec)
    ae.append({"USUBJID": "DL1-1", "AESEQ": 2, "AEDECOD": "Headache", "AESTDTC": "2021-01-03", "AETOXGR": 1,
               "AEREL": "RELATED", "AESER": "N"})
    man = manifest(design="dose_escalation", arms=ARMS,
                   dlt={"window_days": 28, "target_rate": 0.3, "definition": definition, "min_grade": 3})
    return make_sub({"DM": dm, "EX": ex, "SV": sv, "AE": ae}, man)


def test_levels_evaluability_and_mtd():
    sub = _sub({"DL2": 1, "DL3": 3}, {"DL1": 3, "DL2": 4, "DL3": 3}, short={"DL2-4"})
    d = dlt_analysis(sub).to_dict()
    lv = {x["arm"]: x for x in d["levels"]}
    assert [x["arm"] for x in d["levels"]] == ["DL1", "DL2", "DL3", "DL4"]
    assert (lv["DL2"]["dosed"], lv["DL2"]["n"], lv["DL2"]["n_dlt"]) == (4, 3, 1)   # DL2-4 followed 10 d only
    assert lv["DL1"]["ci_high"] == pytest.approx(0.7076, abs=1e-4) and lv["DL1"]["rate"] == 0.0
    assert lv["DL3"]["eliminated"] is True and lv["DL3"]["p_overdose"] > 0.95
    assert lv["DL4"]["n"] == 0 and lv["DL4"]["rate"] is None and lv["DL4"]["isotonic"] is None
    # BOIN over (3, 3, 3, 0) / (0, 1, 3, 0): DL3 eliminated; p̂ = .0161, .3387 -> DL2 (|.0387| < |.2839|)
    assert d["mtd"]["arm"] == "DL2" and d["mtd"]["dose"] == 3e6 and d["mtd_reason"] is None
    assert d["all_doses_too_toxic"] is False
    assert d["highest_dose_explored"] == 1e7 and d["highest_dose_unit"] == "cells/kg"
    assert d["above_explored"] == ["DL4"]
    assert {e["usubjid"] for e in d["events"]} == {"DL2-1", "DL3-1", "DL3-2", "DL3-3"}
    assert d["trend"]["p_value"] is not None


def test_mtd_only_for_dose_escalation_designs():
    sub = _sub({"DL2": 1, "DL3": 3}, {"DL1": 3, "DL2": 4, "DL3": 3})
    sub.manifest.study.design = "randomized_controlled"
    d = dlt_analysis(sub).to_dict()
    assert d["mtd"] is None and d["mtd_reason_code"] == "not_dose_finding" and "randomized_controlled" in d["mtd_reason"]
    # elimination still applied (DL3 and every higher dose)
    assert [lv["eliminated"] for lv in d["levels"]] == [False, False, True, True]
    sub = _sub({"DL1": 3}, {"DL1": 3})
    sub.manifest.study.design = None
    d = dlt_analysis(sub).to_dict()
    assert d["all_doses_too_toxic"] is True and d["mtd_reason_code"] == "all_too_toxic"


def test_all_doses_too_toxic():
    d = dlt_analysis(_sub({"DL1": 3}, {"DL1": 3})).to_dict()
    assert d["mtd"] is None and d["all_doses_too_toxic"] is True and d["mtd_reason_code"] == "all_too_toxic"
    assert "too toxic" in d["mtd_reason"] and d["mtd_reason_zh"]


def test_grade_definition_and_flag_fallback():
    # no AEDLT column: the flag definition falls back to the grade rule (related, grade >= 3, within 28 d)
    d = dlt_analysis(_sub({"DL1": 1}, {"DL1": 3}, flag=False)).to_dict()
    assert d["definition"] == "flag" and d["definition_used"] == "grade"
    assert d["levels"][0]["n_dlt"] == 1 and d["notes"][0]["reason_code"] == "dlt_flag_missing"
    d = dlt_analysis(_sub({"DL1": 1}, {"DL1": 3}, flag=False, definition="grade")).to_dict()
    assert d["definition_used"] == "grade" and d["levels"][0]["n_dlt"] == 1 and d["notes"] == []


def test_no_data_gives_reason():
    sub = make_sub({}, manifest(arms=ARMS))
    d = dlt_analysis(sub).to_dict()
    assert d["mtd"] is None and d["mtd_reason_code"] == "no_evaluable" and len(d["levels"]) == 4
    sub = make_sub({}, None)
    d = dlt_analysis(sub).to_dict()
    assert d["levels"] == [] and d["reason_code"] == "no_active_levels"
