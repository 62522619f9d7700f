"""The study model (workbench.study): each definition of analyses.md "Common definitions" on small tables built
here, where the expected value is plain to see."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.manifest import Manifest
from workbench.study import age_in_years
from workbench.study.vocab import Mentions
from workbench.submission import Submission


def sub_of(tmp_path: Path, manifest: dict | None = None, **tables) -> Submission:
    return Submission(root=tmp_path, submission_id="T", manifest=Manifest.model_validate(manifest) if manifest else None,
                      datasets={k: pd.DataFrame(v).astype(object) for k, v in tables.items()})


DM = [{"USUBJID": "A1", "ARMCD": "Ctl", "ARM": "安慰剂组", "SITEID": "01", "AGE": 40, "AGEU": "YEARS"},
      {"USUBJID": "A2", "ARMCD": "LOW", "ARM": "Low dose", "SITEID": "1", "AGE": 50, "AGEU": "YEARS"},
      {"USUBJID": "A3", "ARMCD": "HIGH", "ARM": "High dose", "SITEID": "02", "AGE": 60, "AGEU": "YEARS"},
      {"USUBJID": "A4", "ARMCD": "SCRNFAIL", "ARM": "Screen Failure", "SITEID": "02", "AGE": 70, "AGEU": "YEARS"}]
EX = [{"USUBJID": "A1", "EXTRT": "PLACEBO", "EXDOSE": 0, "EXDOSU": "mL", "EXSTDTC": "2021-01-05"},
      {"USUBJID": "A2", "EXTRT": "CELLS", "EXDOSE": 1, "EXDOSU": "10^6 cells/kg", "EXSTDTC": "2021-01-06"},
      {"USUBJID": "A3", "EXTRT": "CELLS", "EXDOSE": 0, "EXDOSU": "10^6 cells/kg", "EXSTDTC": "2021-01-07"}]


def test_arms_roles_doses_and_dosed(tmp_path):
    m = sub_of(tmp_path, DM=DM, EX=EX).study
    arms = m.arms.set_index("ARM")
    assert list(m.arms["ARM"]) == ["Ctl", "HIGH", "LOW"]          # control first; HIGH's median dose 0 < LOW's
    assert arms.loc["Ctl", "CONTROL"] and arms.loc["Ctl", "ROLE_RULE"] == "arm_text"
    assert arms.loc["Ctl", "ROLE_EVIDENCE"] == "安慰剂"
    assert not arms.loc["LOW", "CONTROL"] and arms.loc["LOW", "DOSE"] == 1e6 and arms.loc["LOW", "DOSE_UNIT"] == "cells/kg"
    assert arms.loc["HIGH", "CONTROL"] and arms.loc["HIGH", "ROLE_RULE"] == "zero_dose"   # every EXDOSE 0
    assert "SCRNFAIL" not in arms.index
    # placebo dose 0 in a control arm is a dose; the screen failure is not enrolled
    assert m.dosed == {"A1", "A2", "A3"}
    subj = m.subjects
    assert not subj.loc["A4", "ENROLLED"] and subj.loc["A4", "SCREEN_FAIL"] and subj.loc["A4", "ARM"] is None
    assert subj.loc["A2", "SITE"] == subj.loc["A1", "SITE"] == "1"    # '01' and '1' are one site


def test_placebo_treatment_and_unconvertible_units(tmp_path):
    dm = [{"USUBJID": "B1", "ARMCD": "X"}, {"USUBJID": "B2", "ARMCD": "Y"}]
    ex = [{"USUBJID": "B1", "EXTRT": "Vehicle infusion", "EXDOSE": 5, "EXDOSU": "mL"},
          {"USUBJID": "B2", "EXTRT": "DRUG", "EXDOSE": 54, "EXDOSU": "mg"}]
    arms = sub_of(tmp_path, DM=dm, EX=ex).study.arms.set_index("ARM")
    assert arms.loc["X", "ROLE_RULE"] == "placebo_treatment" and arms.loc["X", "CONTROL"]
    # a unit that cannot be converted to cells does not make an arm control (the old bug on real data)
    assert not arms.loc["Y", "CONTROL"] and arms.loc["Y", "DOSE"] == 54 and arms.loc["Y", "DOSE_UNIT"] == "mg"


def test_manifest_decides_roles_and_matches_codes_case_insensitively(tmp_path):
    manifest = {"study": {"arms": [{"armcd": "CTL", "dose": 0, "control": True}, {"armcd": "low", "dose": 2,
                                                                                  "dose_unit": "10^6 cells"}]}}
    m = sub_of(tmp_path, manifest, DM=DM, EX=EX).study
    arms = m.arms.set_index("ARM")
    assert arms.loc["Ctl", "ROLE_RULE"] == "manifest" and arms.loc["LOW", "DOSE"] == 2e6   # shown as in the data
    assert arms.loc["HIGH", "IN_MANIFEST"] == False  # noqa: E712 - an arm the manifest does not list


def test_without_ex_dosing_is_unknown(tmp_path):
    m = sub_of(tmp_path, DM=DM).study
    assert not m.dosing_known and m.dosed == frozenset() and m.first_dose.empty


def test_consent_falls_back_to_the_ds_milestone_in_either_language(tmp_path):
    dm = [{"USUBJID": "C1", "ARMCD": "A", "RFICDTC": None}, {"USUBJID": "C2", "ARMCD": "A", "RFICDTC": "2021-02-01"},
          {"USUBJID": "C3", "ARMCD": "A", "RFICDTC": None}]
    ds = [{"USUBJID": "C1", "DSCAT": "PROTOCOL MILESTONE", "DSDECOD": "INFORMED CONSENT OBTAINED", "DSSTDTC": "2021-01-03"},
          {"USUBJID": "C3", "DSCAT": "方案里程碑", "DSDECOD": "签署知情同意书", "DSSTDTC": "2021-01-04"},
          {"USUBJID": "C3", "DSCAT": "处置事件", "DSDECOD": "死亡", "DSSTDTC": "2021-06-01"}]
    m = sub_of(tmp_path, DM=dm, DS=ds).study
    c = m.consent
    assert c.loc["C1", "SOURCE"] == "DS.DSSTDTC" and c.loc["C1", "TEXT"] == "2021-01-03"
    assert c.loc["C2", "SOURCE"] == "DM.RFICDTC" and c.loc["C3", "TEXT"] == "2021-01-04"
    disp = m.disposition
    assert disp["DEATH"].tolist() == [True] and disp["USUBJID"].tolist() == ["C3"]   # milestones are not events
    assert set(m.deaths["USUBJID"]) == {"C3"} and m.subjects.loc["C3", "DIED"]


def test_teae_related_serious_through_vocabularies(tmp_path):
    ae = [{"USUBJID": "A2", "AESEQ": 1, "AESTDTC": "2021-01-06", "AEREL": "可能有关", "AESER": "否", "AESHOSP": "Y"},
          {"USUBJID": "A2", "AESEQ": 2, "AESTDTC": "2021-01-01", "AEREL": "REMOTE", "AESER": "N"},       # before dose
          {"USUBJID": "A2", "AESEQ": 3, "AESTDTC": None, "AEREL": None, "AESER": "N", "AESEV": "重度"},  # no date
          {"USUBJID": "A4", "AESEQ": 1, "AESTDTC": "2021-02-01", "AEREL": "Y", "AESER": "Y"}]           # not dosed
    e = sub_of(tmp_path, DM=DM, EX=EX, AE=ae).study.adverse_events.set_index(["USUBJID", "AESEQ"])
    assert e["TEAE"].to_dict() == {("A2", 1): True, ("A2", 2): False, ("A2", 3): True, ("A4", 1): False}
    assert e.loc[("A2", 1), "RELATED"] and e.loc[("A2", 1), "SERIOUS"] and e.loc[("A2", 1), "SERIOUS_CONFLICT"]
    assert not e.loc[("A2", 2), "RELATED"]
    assert e.loc[("A2", 3), "RELATED"] and not e.loc[("A2", 3), "RELATED_KNOWN"]   # blank on a TEAE: related
    assert e.loc[("A2", 3), "GRADE"] == 3.0                                       # 重度 -> 3


def test_design_facts_from_ts_with_their_source(tmp_path):
    ts = [{"TSPARMCD": "RANDOM", "TSVAL": "Y"}, {"TSPARMCD": "TCNTRL", "TSVAL": "PLACEBO"},
          {"TSPARMCD": "TPHASE", "TSVAL": "Phase II/III Trial"}, {"TSPARMCD": "TBLIND", "TSVAL": "SINGLE BLIND"},
          {"TSPARMCD": "DCUTDTC", "TSVAL": "2022-06-30"}]
    d = sub_of(tmp_path, DM=DM, EX=EX, TS=ts).study.design
    assert d.fact("design").value == "randomized_controlled" and d.fact("design").source == "TS RANDOM=Y, TCNTRL=PLACEBO"
    assert d.value("stage") == "exploratory_and_confirmatory" and d.value("blinding") == "single"
    assert d.value("data_cutoff") == float(np.datetime64("2022-06-30", "D").astype(int))
    # the manifest wins where it declares
    d2 = sub_of(tmp_path, {"study": {"design": "dose_escalation"}}, DM=DM, EX=EX, TS=ts).study.design
    assert d2.fact("design").origin == "manifest" and d2.value("stage") == "exploratory_and_confirmatory"


def test_age_units_and_mentions():
    ages = age_in_years(pd.Series([120, 960, 30, None], dtype=object),
                        pd.Series(["MONTHS", "months", "YEARS", "YEARS"], dtype=object))
    assert ages[:3].tolist() == [10.0, 80.0, 30.0] and np.isnan(ages[3])
    m = Mentions("t", ["CONTROL", "NEOPLASM", "对照"])
    assert m.found("Control arm") and m.found("Neoplasms benign") and m.found("空白对照组")
    assert not m.found("Uncontrolled hypertension") and not m.found(None)


@pytest.mark.parametrize("blob,expected", [
    ("Alzheimer’s".encode("cp1252"), "windows-1252"),
    ("头痛、恶心与发热".encode("gbk"), "gb18030"),
    ("Café".encode("latin-1"), "windows-1252"),
])
def test_sas_text_fallback_tells_chinese_from_latin(blob, expected):
    from workbench.readers import SAS_FALLBACKS, _reads_as

    assert next(e for e in SAS_FALLBACKS if _reads_as(blob, e)) == expected
