"""Exposure per arm: enrolled, dosed, not dosed with reasons, administrations, lots, total cells."""
from __future__ import annotations

import pytest

from analysis_builders import make_sub, manifest
from workbench.analyses.exposure import exposure_analysis


def test_exposure_per_arm():
    dm = [{"USUBJID": u, "ARMCD": a, "ACTARMCD": a} for u, a in
          [("P1", "PBO"), ("A1", "DL1"), ("A2", "DL1"), ("A3", "DL1"), ("B1", "DL2"), ("X1", "SCRNFAIL")]]
    ex = [{"USUBJID": "P1", "EXDOSE": 0, "EXDOSU": "cells", "EXSTDTC": "2021-01-01", "EXLOT": None},
          {"USUBJID": "A1", "EXDOSE": 1, "EXDOSU": "10^6 cells/kg", "EXSTDTC": "2021-01-01", "EXLOT": "L1"},
          {"USUBJID": "A1", "EXDOSE": 1, "EXDOSU": "10^6 cells/kg", "EXSTDTC": "2021-02-01", "EXLOT": "L2"},
          {"USUBJID": "A2", "EXDOSE": 1, "EXDOSU": "10^6 cells/kg", "EXSTDTC": "2021-01-02", "EXLOT": "L1"},
          {"USUBJID": "B1", "EXDOSE": 5e6, "EXDOSU": "cells", "EXSTDTC": "2021-01-03", "EXLOT": "L3"}]
    ds = [{"USUBJID": "A3", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "WITHDRAWAL BY SUBJECT"}]
    vs = [{"USUBJID": "A1", "VSTESTCD": "WEIGHT", "VSSTRESN": 70.0, "VSSTRESU": "kg", "VSDTC": "2020-12-20"},
          {"USUBJID": "A2", "VSTESTCD": "WEIGHT", "VSORRES": "110", "VSORRESU": "LB", "VSDTC": "2020-12-20"}]
    man = manifest(arms=[{"armcd": "PBO", "dose": 0, "control": True},
                         {"armcd": "DL1", "dose": 1, "dose_unit": "10^6 cells/kg"},
                         {"armcd": "DL2", "dose": 5, "dose_unit": "10^6 cells"}])
    sub = make_sub({"DM": dm, "EX": ex, "DS": ds, "VS": vs}, man)
    rows = {r["arm"]: r for r in exposure_analysis(sub).to_dict()}
    assert list(rows) == ["PBO", "DL1", "DL2"]
    dl1 = rows["DL1"]
    assert (dl1["enrolled"], dl1["dosed"], dl1["not_dosed"], dl1["administrations"]) == (3, 2, 1, 3)
    assert dl1["not_dosed_reasons"] == {"WITHDRAWAL BY SUBJECT": 1} and dl1["lots"] == ["L1", "L2"]
    assert dl1["dose"] == 1e6 and dl1["dose_unit"] == "cells/kg"
    # 1e6/kg × 70 kg × 2 administrations + 1e6/kg × 110 lb × 0.45359237
    assert dl1["total_cells"] == pytest.approx(2 * 70e6 + 110 * 0.45359237 * 1e6)
    assert dl1["total_cells_complete"] is True
    assert rows["PBO"]["control"] is True and rows["PBO"]["dosed"] == 1 and rows["PBO"]["administrations"] == 1
    assert rows["DL2"]["total_cells"] == 5e6 and rows["DL2"]["dose"] == 5e6


def test_exposure_without_data():
    res = exposure_analysis(make_sub({}, None))
    assert res.to_dict() == [] and res.reason_dict()["reason_code"] == "no_dm"
    res = exposure_analysis(make_sub({"DM": [{"USUBJID": "A", "ARMCD": "DL1"}]}, None))
    row = res.to_dict()[0]   # no EX: dosed and not dosed are unknown, not 0 (analyses.md)
    assert row["enrolled"] == 1 and row["dosed"] is None and row["not_dosed"] is None and res.reason_code == "no_ex"
