"""Follow-up per arm: requirement, deaths, withdrawals, DLT-window follow-up, long-term follow-up epoch."""
from __future__ import annotations

from analysis_builders import make_sub, manifest
from workbench.analyses.follow_up import follow_up_analysis

FIRST = "2021-01-01"
# day offsets from 2021-01-01
DAY = {10: "2021-01-11", 20: "2021-01-21", 50: "2021-02-20", 100: "2021-04-11", 730: "2023-01-01",
       800: "2023-03-12", 900: "2023-06-20", 5: "2021-01-06"}


def _sub():
    subs = [f"S{i}" for i in range(1, 9)]
    dm = [{"USUBJID": u, "ARMCD": "DL1", "ACTARMCD": "DL1"} for u in subs]
    dm[2].update({"DTHFL": "Y", "DTHDTC": DAY[50]})
    ex = [{"USUBJID": u, "EXDOSE": 1.0 if u != "S8" else 0, "EXDOSU": "10^6 cells", "EXSTDTC": FIRST} for u in subs]
    last = {"S1": 800, "S2": 100, "S3": 50, "S4": 10, "S5": 20, "S6": 900, "S7": 730, "S8": 900}
    sv = [{"USUBJID": u, "SVSTDTC": DAY[d], "EPOCH": "LONG-TERM FOLLOW-UP" if u == "S6" else "FOLLOW-UP"}
          for u, d in last.items()]
    ds = [{"USUBJID": "S1", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "COMPLETED", "DSSTDTC": DAY[800]},
          {"USUBJID": "S2", "DSCAT": "PROTOCOL MILESTONE", "DSDECOD": "INFORMED CONSENT OBTAINED",
           "DSSTDTC": "2020-12-01"},
          {"USUBJID": "S2", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "WITHDRAWAL BY SUBJECT", "DSSTDTC": DAY[100]},
          {"USUBJID": "S3", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "DEATH", "DSSTDTC": DAY[50]},
          {"USUBJID": "S5", "DSCAT": "DISPOSITION EVENT", "DSDECOD": "LOST TO FOLLOW-UP", "DSSTDTC": None}]
    ae = [{"USUBJID": "S4", "AESEQ": 1, "AEDECOD": "Pyrexia", "AESTDTC": DAY[5], "AEDLT": "Y", "AETOXGR": 3,
           "AEREL": "RELATED", "AESER": "N"}]
    man = manifest(arms=[{"armcd": "DL1", "dose": 1, "dose_unit": "10^6 cells"}], dlt={"window_days": 28})
    return make_sub({"DM": dm, "EX": ex, "SV": sv, "DS": ds, "AE": ae}, man)


def test_follow_up_counts():
    res = follow_up_analysis(_sub())
    d, rows = res.summary_dict(), res.to_dict()
    assert d["required_days"] == 730 and d["window_days"] == 28
    assert isinstance(rows, list) and len(rows) == 1                # review.json: a list of arm rows
    arm = rows[0]
    assert arm["required_days"] == 730 and arm["window_days"] == 28
    assert arm["arm"] == "DL1" and arm["dosed"] == 7                # S8 has EXDOSE 0 in an active arm
    assert (arm["min_days"], arm["median_days"], arm["max_days"]) == (10.0, 100.0, 900.0)
    assert arm["meeting_requirement"] == 3                          # S1 (800), S6 (900), S7 (exactly 730)
    assert arm["deaths"] == 1 and arm["meeting_or_died"] == 4
    assert arm["withdrawals"] == 2                                  # S2 dated day 100; S5 undated, short follow-up
    # S1, S2, S3 (died on day 50), S6, S7; not S4 (a DLT on day 5, last seen on day 10) nor S5 (day 20)
    assert arm["followed_window"] == 5
    assert arm["ltfu"] == 1
    assert d["total"]["dosed"] == 7 and d["reason"] is None


def test_follow_up_requirement_from_manifest_and_cell_type():
    from workbench.memo import clear

    sub = _sub()
    sub.manifest.study.followup.required_days = 800      # above the MSC floor (730): the declaration stands
    clear(sub)                                            # a submission's derivations are cached: edited, recompute
    arm = follow_up_analysis(sub).to_dict()[0]
    assert arm["meeting_requirement"] == 2
    sub.manifest.study.followup.required_days = None
    sub.manifest.product.cell_type = "IPSC_DERIVED"
    clear(sub)
    d = follow_up_analysis(sub).summary_dict()
    assert d["required_days"] == 1825 and d["required_days_declared"] is None and d["overrides"] == []
    sub.manifest.study.followup.required_days = 400       # below the iPSC-derived floor: the reviewer's 1825 holds
    clear(sub)
    d = follow_up_analysis(sub).summary_dict()
    assert d["required_days"] == 1825 and d["required_days_declared"] == 400
    assert d["overrides"][0]["rule"] == "followup_floor_days.IPSC_DERIVED"


def test_follow_up_without_data():
    sub = make_sub({"DM": [{"USUBJID": "A", "ARMCD": "X"}]}, None)
    res = follow_up_analysis(sub)
    rows = res.to_dict()
    # no EX: which subjects were dosed is unknown, not 0 (analyses.md "Unknown is not zero")
    assert res.summary_dict()["reason_code"] == "no_ex" and res.reason_dict()["reason_code"] == "no_ex"
    assert rows[0]["dosed"] is None and rows[0]["median_days"] is None and res.summary_dict()["total"]["dosed"] is None
