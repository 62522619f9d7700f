"""CMC: results in manufacturing order, spec judgement, clinical mean ± 3 SD, commercial lots outside, failure rate."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis_builders import make_sub, manifest
from workbench.analyses.cmc import cmc_analysis


def _sub():
    batches = pd.DataFrame([
        {"LOTID": "L3", "PROCVER": "P1", "MFGDT": "2020-03-01", "STATUS": "RELEASED"},
        {"LOTID": "L1", "PROCVER": "P1", "MFGDT": "2020-01-01", "STATUS": "RELEASED"},
        {"LOTID": "L2", "PROCVER": "P1", "MFGDT": "2020-02-01", "STATUS": "RELEASED"},
        {"LOTID": "L4", "PROCVER": "P2", "MFGDT": "2021-01-01", "STATUS": "RELEASED"},
        {"LOTID": "L5", "PROCVER": "P2", "MFGDT": "2021-02-01", "STATUS": "FAILED", "FAILREASON": "sterility"},
        {"LOTID": "L6", "PROCVER": "P2", "MFGDT": "2021-03-01", "STATUS": "REJECTED", "FAILREASON": "viability"},
    ])
    via = {"L1": 92, "L2": 94, "L3": 96, "L4": 99, "L5": 85, "L6": 60}
    rt = [{"LOTID": k, "ATTRIBUTE": "VIABILITY", "RESULT": str(v), "UNIT": "%", "SPEC_LOW": 70, "SPEC_HIGH": None}
          for k, v in via.items()]
    rt += [{"LOTID": k, "ATTRIBUTE": "STERILITY", "RESULT": "NEGATIVE" if k != "L5" else "POSITIVE",
            "SPEC_TEXT": "negative"} for k in via]
    ex = [{"USUBJID": f"S{i}", "EXLOT": lot, "EXDOSE": 1, "EXDOSU": "cells"} for i, lot in enumerate(["L1", "L2", "L3"])]
    man = manifest(product={"cell_type": "MSC", "commercial_process_version": "P2"})
    return make_sub({"EX": ex}, man, batches=batches, release_tests=pd.DataFrame(rt))


def test_cmc_attributes_and_failure_rate():
    d = cmc_analysis(_sub()).to_dict()
    assert d["n_lots"] == 6 and d["n_failed"] == 2 and d["failure_rate"] == pytest.approx(2 / 6)
    assert d["n_clinical_lots"] == 3
    via = next(a for a in d["attributes"] if a["attribute"] == "VIABILITY")
    assert [r["lotid"] for r in via["results"]] == ["L1", "L2", "L3", "L4", "L5", "L6"]   # manufacturing order
    assert via["clinical_n"] == 3 and via["clinical_mean"] == pytest.approx(94.0)
    sd = np.std([92, 94, 96], ddof=1)
    assert via["lower_3sd"] == pytest.approx(94 - 3 * sd) and via["upper_3sd"] == pytest.approx(94 + 3 * sd)
    assert via["n_out_of_spec"] == 1 and via["spec_low"] == 70 and via["numeric"] is True
    # commercial (P2) lots outside 94 ± 6: L4 (99 is inside 88..100), L5 (85) and L6 (60) are outside
    assert [(o["attribute"], o["lotid"]) for o in d["out_of_range"]] == [("VIABILITY", "L5"), ("VIABILITY", "L6")]
    flags = {r["lotid"]: r["outside_clinical_range"] for r in via["results"]}
    assert flags == {"L1": None, "L2": None, "L3": None, "L4": False, "L5": True, "L6": True}
    ster = next(a for a in d["attributes"] if a["attribute"] == "STERILITY")
    assert ster["numeric"] is False and ster["n_out_of_spec"] == 1
    assert {r["lotid"]: r["within_spec"] for r in ster["results"]}["L5"] is False


def test_cmc_missing():
    d = cmc_analysis(make_sub({}, None)).to_dict()
    assert d["reason_code"] == "no_cmc" and d["attributes"] == [] and d["failure_rate"] is None
