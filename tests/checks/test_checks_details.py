"""Finer points of individual checks: conservative partial dates, exemptions, fallbacks, caps."""
from __future__ import annotations

import numpy as np
import pandas as pd
from factory import usubjid

from workbench.checks.helpers import MAX_PER_COLUMN, day_text, norm


def _findings(run, check_id, severity=None):
    return [f for f in run.findings if f.check_id == check_id and (severity is None or f.severity.value == severity)]


def test_day_text_partial_dates():
    d = float(np.datetime64("2021-03-01", "D").astype(int))
    assert day_text(d) == "2021-03-01"
    assert day_text(d, d + 30) == "2021-03"
    assert day_text(float(np.datetime64("2021-01-01", "D").astype(int)),
                    float(np.datetime64("2021-12-31", "D").astype(int))) == "2021"
    assert day_text(np.nan) == "unknown"


def test_norm():
    s = pd.Series([" y ", None, "", 3.0, "Y"], dtype=object)
    assert norm(s).tolist() == ["Y", None, None, "3", "Y"]


def test_partial_consent_same_month_is_not_a_finding(study, run_one):
    """Consent '2021-02' and screening visit 2021-02-24: undecidable, so no SCR-003 finding."""
    study.tables["DM"].loc[study.tables["DM"]["USUBJID"] == usubjid(2), "RFICDTC"] = "2021-02"
    run = run_one(study, "SCR-003", "SAF-007", "TRC-003")
    assert run.findings == []


def test_consent_falls_back_to_ds(study, run_one):
    dm = study.tables["DM"]
    dm.loc[dm["USUBJID"] == usubjid(2), "RFICDTC"] = None
    ds = study.tables["DS"]
    ds.loc[(ds["USUBJID"] == usubjid(2)) & (ds["DSDECOD"] == "INFORMED CONSENT OBTAINED"), "DSSTDTC"] = "2021-03-20"
    [f] = run_one(study, "SCR-003").findings
    assert (f.severity.value, f.usubjid, f.record) == ("critical", usubjid(2), "DSSTDTC=2021-03-20")


def test_control_arm_exempt_from_dose_checks(study, run_one):
    study.manifest["study"]["arms"].append({"armcd": "PBO", "dose": 0, "control": True})
    dm, ex = study.tables["DM"], study.tables["EX"]
    dm.loc[dm["USUBJID"] == usubjid(3), ["ARMCD", "ARM", "ACTARMCD", "ACTARM"]] = "PBO"
    ex.loc[ex["USUBJID"] == usubjid(3), ["EXDOSE", "EXDOSU", "EXLOT"]] = [0, "mL", None]
    run = run_one(study, "ADM-002", "ADM-003", "MAN-002", "ADM-001")
    assert run.findings == []


def test_background_therapy_started_and_dose_changed(study, run_one):
    cm = study.tables["CM"]
    new = cm[cm["USUBJID"] == usubjid(1)].iloc[[0]].copy()
    new["CMSEQ"], new["CMDOSE"], new["CMSTDTC"] = 9, 400, "2021-04-01"          # same NSAID, new dose
    other = cm[cm["USUBJID"] == usubjid(3)].iloc[[0]].copy()
    cm = cm[cm["USUBJID"] != usubjid(3)]
    other["CMSTDTC"] = "2021-04-01"                                               # started after dosing
    study.tables["CM"] = pd.concat([cm, new, other], ignore_index=True)
    found = {(f.usubjid, f.record): f.message_en for f in run_one(study, "CON-002").findings}
    assert "dose changed" in found[(usubjid(1), "CMSEQ=9")]
    assert "started" in found[(usubjid(3), "CMSEQ=1")]


def test_release_bounds_and_synonyms(study, run_one):
    r = study.release
    r.loc[(r["LOTID"] == "L001") & (r["ATTRIBUTE"] == "ENDOTOXIN"), "RESULT"] = "<0.25"     # within ≤ 0.5
    r.loc[(r["LOTID"] == "L002") & (r["ATTRIBUTE"] == "ENDOTOXIN"), "RESULT"] = "<1.0"      # cannot be shown ≤ 0.5
    r.loc[(r["LOTID"] == "L003") & (r["ATTRIBUTE"] == "STERILITY"), "RESULT"] = "No growth"  # a negative
    [f] = run_one(study, "CMC-002").findings
    assert (f.severity.value, f.record) == ("critical", "LOTID=L002") and "ENDOTOXIN" in f.message_en


def test_not_done_is_untested_not_out_of_spec(study, run_one):
    r = study.release
    r.loc[(r["LOTID"] == "L003") & (r["ATTRIBUTE"] == "MYCOPLASMA"), "RESULT"] = "N/A"
    [f] = run_one(study, "CMC-002").findings
    assert (f.severity.value, f.record) == ("major", "LOTID=L003") and "not tested: MYCOPLASMA" in f.message_en


def test_study_level_site_documents_cover_every_site(study, run_one):
    study.drop_docs("TRAINING_RECORD")
    study.add_doc("TRAINING_RECORD")                       # no SITEID: covers both sites
    assert run_one(study, "TRC-001").findings == []
    study.drop_docs("ETHICS_APPROVAL")
    study.add_doc("ETHICS_APPROVAL")                       # ethics approval must name the site
    sites = {f.message_en.rsplit(" ", 1)[-1] for f in run_one(study, "TRC-001").findings}
    assert sites == {"01", "02"}


def test_date_findings_are_capped_per_variable(study, run_one):
    study.tables["LB"]["LBDTC"] = "21/03/2021"
    run = run_one(study, "TRC-003")
    lb = [f for f in run.findings if f.domain == "LB"]
    n = len(study.tables["LB"])
    assert len(lb) == MAX_PER_COLUMN + 1
    [summary] = [f for f in lb if f.record == "VAR=LBDTC"]
    assert f"{n} in all" in summary.message_en and f"共 {n} 个" in summary.message_zh


def test_cutoff_from_ts_dcutdtc(study, run_one):
    ts = study.tables["TS"]
    ts.loc[ts["TSPARMCD"] == "DCUTDTC", "TSVAL"] = "2021-06-30"
    run = run_one(study, "TRC-003")
    assert run.findings and all("data cut-off (TS DCUTDTC 2021-06-30)" in f.message_en for f in run.findings)


def test_sentinel_gap_with_partial_dates_is_not_reported(study, run_one):
    ex = study.tables["EX"]
    ex.loc[ex["USUBJID"] == usubjid(2), "EXSTDTC"] = "2021-03"   # could be 2021-03-31
    assert _findings(run_one(study, "ADM-004"), "ADM-004") == []


def test_followup_death_and_withdrawal_excused(study, run_one):
    for n in (1, 2, 3):
        study.stop_follow_up(n, 200)
    dm, ds = study.tables["DM"], study.tables["DS"]
    dm.loc[dm["USUBJID"] == usubjid(1), ["DTHFL", "DTHDTC"]] = ["Y", "2021-09-01"]
    ds.loc[(ds["USUBJID"] == usubjid(2)) & (ds["DSDECOD"] == "COMPLETED"), ["DSDECOD", "DSTERM"]] = \
        ["WITHDRAWAL BY SUBJECT", "Moved away"]
    majors = {f.usubjid for f in _findings(run_one(study, "FUP-002"), "FUP-002", "major")}
    assert usubjid(1) not in majors and usubjid(2) not in majors and usubjid(3) in majors
