"""run_analyses: the review.json contract keys, strict JSON, and one failing analysis not stopping the others."""
from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest
from analysis_builders import build_small_sub, make_sub

import workbench.analyses as analyses
from workbench.analyses import AnalysisResults, run_analyses

CONTRACT = {
    "exposure": {"arm", "dose", "dose_unit", "control", "enrolled", "dosed", "not_dosed", "administrations", "lots"},
    "dlt": {"target_rate", "window_days", "definition", "levels", "mtd", "mtd_reason", "all_doses_too_toxic",
            "highest_dose_explored", "above_explored"},
    "dlt.levels": {"arm", "dose", "n", "n_dlt", "rate", "ci_low", "ci_high", "isotonic"},
    "efficacy": {"endpoint", "domain", "visit", "better", "signal", "comparison", "arms", "comparisons",
                 "responders", "trend", "reason"},
    "efficacy.comparison": {"kind", "arms", "estimate", "ci_low", "ci_high", "p_value", "n"},
    "efficacy.arms": {"arm", "n", "mean", "sd", "ci_low", "ci_high"},
    "safety": {"overview", "by_soc_pt", "risk_differences", "km", "late_events", "deaths", "aesi", "related_fatal",
               "related_tumorigenicity"},
    "safety.overview": {"arm", "control", "dosed", "any_teae", "related_teae", "grade3plus", "serious",
                        "related_serious", "fatal", "aesi"},
    "stopping_rules": {"id", "met", "max_subjects", "threshold", "scope", "by_cohort"},
    "follow_up": {"arm", "control", "dosed", "min_days", "median_days", "max_days", "meeting_requirement",
                  "deaths", "withdrawals", "followed_window", "ltfu", "required_days", "window_days"},
    "follow_up_summary": {"required_days", "window_days", "total", "reason", "notes"},
    "cmc": {"attributes", "failure_rate", "n_lots", "n_failed", "out_of_range"},
}


def test_contract_keys_and_strict_json():
    d = run_analyses(build_small_sub()).to_dict()
    text = json.dumps(d, allow_nan=False)           # raises on NaN / inf
    assert json.loads(text) == d
    assert CONTRACT["exposure"] <= set(d["exposure"][0])
    assert [r["arm"] for r in d["exposure"]] == ["PBO", "DL1", "DL2"]      # control first, then dose
    assert CONTRACT["dlt"] <= set(d["dlt"]) and CONTRACT["dlt.levels"] <= set(d["dlt"]["levels"][0])
    assert d["dlt"]["mtd"] is None and d["dlt"]["mtd_reason_code"] == "not_dose_finding"   # an RCT
    assert CONTRACT["efficacy"] <= set(d["efficacy"])
    assert CONTRACT["efficacy.comparison"] <= set(d["efficacy"]["comparison"])
    assert d["efficacy"]["comparison"]["kind"] in ("welch", "one_sample")
    assert CONTRACT["efficacy.arms"] <= set(d["efficacy"]["arms"][0])
    assert CONTRACT["safety"] <= set(d["safety"]) and CONTRACT["safety.overview"] <= set(d["safety"]["overview"][0])
    assert CONTRACT["stopping_rules"] <= set(d["stopping_rules"][0])
    assert isinstance(d["follow_up"], list)          # review-output.md: [{"arm", "median_days", ...}]
    assert CONTRACT["follow_up"] <= set(d["follow_up"][0])
    assert [r["arm"] for r in d["follow_up"]] == ["PBO", "DL1", "DL2"]
    assert CONTRACT["follow_up_summary"] <= set(d["follow_up_summary"])
    assert CONTRACT["cmc"] <= set(d["cmc"])
    assert "timeline" not in d and d["errors"] == {}


def test_empty_and_bare_submissions_never_raise():
    for sub in (make_sub({}, None),
                make_sub({"DM": [{"USUBJID": "A", "ARMCD": "X"}]}, None),
                make_sub({"AE": [{"USUBJID": "A", "AETERM": "x"}]}, None),
                make_sub({"DM": pd.DataFrame({"STUDYID": ["S"]}), "EX": pd.DataFrame({"FOO": [1]})}, None)):
        res = run_analyses(sub)
        assert res.errors == {}, res.errors
        d = res.to_dict()
        json.dumps(d, allow_nan=False)
        assert d["dlt"]["mtd"] is None and d["efficacy"]["signal"] is None


def test_bare_folder_doses_from_ex():
    dm = [{"USUBJID": f"S{i}", "ARMCD": arm} for i, arm in enumerate(["A", "A", "B", "B"])]
    ex = [{"USUBJID": f"S{i}", "EXDOSE": d, "EXDOSU": "10^6 cells", "EXSTDTC": "2021-01-01"}
          for i, d in enumerate([1, 1, 10, 10])]
    d = run_analyses(make_sub({"DM": dm, "EX": ex}, None)).to_dict()
    assert [(r["arm"], r["dose"], r["dose_unit"]) for r in d["exposure"]] == [("A", 1e6, "cells"), ("B", 1e7, "cells")]
    assert d["dlt"]["highest_dose_explored"] == 1e7


def test_failing_analysis_is_recorded_and_others_run(monkeypatch):
    def boom(sub):
        raise RuntimeError("kaput")

    real = analyses.registry.get("safety")
    analyses.registry.register(dataclasses.replace(real, func=boom), replace=True)
    try:
        res = run_analyses(build_small_sub())
    finally:
        analyses.registry.register(real, replace=True)
    assert res.safety is None and "kaput" in res.errors["safety"]
    d = res.to_dict()
    assert d["safety"] == {"error": "RuntimeError: kaput"} and len(d["dlt"]["levels"]) == 2
    assert d["errors"] == {"safety": "RuntimeError: kaput"}


def test_registered_analysis_lands_in_dict():
    analyses.register("n_subjects", lambda sub: {"n": len(sub.domain("DM"))})
    try:
        d = run_analyses(build_small_sub(), only=["n_subjects"]).to_dict()
        assert d["n_subjects"] == {"n": 9}
        with pytest.raises(ValueError):
            analyses.register("n_subjects", lambda sub: None)
    finally:
        analyses.unregister("n_subjects")
    with pytest.raises(KeyError):
        analyses.get("nope")
    assert isinstance(AnalysisResults().to_dict(), dict)
