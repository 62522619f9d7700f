"""One subject's profile: demography and arm, exposure (dose, lot), adverse events, out-of-range laboratory
results, visits, concomitant medications, disposition, and every finding about the subject.

Everything comes from the study model and the subject's own records, with study days counted from the first dose
(day 1 = the first-dose day, SDTM convention; negative before it). Values are shown as recorded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .columns import col, dates
from .dates import day_to_iso
from .submission import Submission
from .text import norm

EXPOSURE_COLS = ("EXSEQ", "EXTRT", "EXDOSE", "EXDOSU", "EXLOT", "EXROUTE", "EXSTDTC", "EXENDTC")
AE_COLS = ("AESEQ", "AETERM", "AEDECOD", "AEBODSYS", "AESTDTC", "AEENDTC", "AETOXGR", "AESEV", "AESER", "AEREL",
           "AEOUT", "AEACN")
LAB_COLS = ("LBTESTCD", "LBTEST", "VISIT", "LBDTC", "LBORRES", "LBORRESU", "LBSTRESN", "LBSTRESU", "LBSTNRLO",
            "LBSTNRHI", "LBNRIND")
VISIT_COLS = ("VISITNUM", "VISIT", "SVSTDTC", "SVENDTC", "EPOCH", "SVEPOCH")
CM_COLS = ("CMSEQ", "CMTRT", "CMDECOD", "CMCLAS", "CMDOSE", "CMDOSU", "CMSTDTC", "CMENDTC", "CMINDC")
DS_COLS = ("DSSEQ", "DSCAT", "DSDECOD", "DSTERM", "DSSTDTC")


class UnknownSubjectError(KeyError):
    def __init__(self, usubjid: str):
        super().__init__(f"no subject {usubjid!r} in DM / DM 中无受试者 {usubjid!r}")

    def __str__(self) -> str:
        return self.args[0]


@dataclass
class SubjectProfile:
    usubjid: str
    demography: dict
    exposure: pd.DataFrame
    adverse_events: pd.DataFrame
    labs_out_of_range: pd.DataFrame
    visits: pd.DataFrame
    conmeds: pd.DataFrame
    disposition: pd.DataFrame
    findings: list = field(default_factory=list)      # workbench.findings.Finding about this subject

    def to_dict(self) -> dict:
        from .jsonout import jsonable

        def rows(df):
            return df.astype(object).where(df.notna(), None).to_dict("records")

        return jsonable({"usubjid": self.usubjid, "demography": self.demography, "exposure": rows(self.exposure),
                         "adverse_events": rows(self.adverse_events), "labs_out_of_range": rows(self.labs_out_of_range),
                         "visits": rows(self.visits), "conmeds": rows(self.conmeds),
                         "disposition": rows(self.disposition), "findings": [f.to_dict() for f in self.findings]})


def _records(sub: Submission, domain: str, usubjid: str, columns) -> tuple[pd.DataFrame, np.ndarray]:
    df = sub.domain(domain)
    if df is None or "USUBJID" not in df.columns:
        return pd.DataFrame(columns=[c for c in columns]), np.zeros(0, dtype=bool)
    mask = (df["USUBJID"] == usubjid).to_numpy(dtype=bool)
    keep = [c for c in columns if c in df.columns]
    return df.loc[mask, keep].reset_index(drop=True), mask


def _study_day(day_lo: np.ndarray, first: float | None) -> list:
    """SDTM study day: day 1 is the first-dose day, no day 0."""
    if first is None or first != first:
        return [None] * len(day_lo)
    out = []
    for d in day_lo:
        if d != d:
            out.append(None)
        else:
            delta = int(d - first)
            out.append(delta + 1 if delta >= 0 else delta)
    return out


def _with_day(sub, domain, var, frame, mask, first) -> pd.DataFrame:
    src = sub.domain(domain)
    if len(frame) and src is not None and var in src.columns:
        frame = frame.copy()
        frame.insert(0, "DAY", _study_day(dates(sub, domain, var).lo[mask], first))
    return frame


def subject_profile(sub: Submission, usubjid: str, findings=()) -> SubjectProfile:
    """The profile of ``usubjid`` (exactly as in DM); ``findings``: the review's findings (those about the subject
    are kept). Raises :class:`UnknownSubjectError`."""
    model = sub.study
    subj = model.subjects
    if usubjid not in subj.index:
        raise UnknownSubjectError(usubjid)
    s = subj.loc[usubjid]
    first = s["FIRST_LO"] if s["FIRST_LO"] == s["FIRST_LO"] else None
    demography = {
        "USUBJID": usubjid, "SITEID": s["SITEID"], "AGE": s["AGE"], "AGEU": s["AGEU"],
        "AGE_Y": None if s["AGE_Y"] != s["AGE_Y"] else round(float(s["AGE_Y"]), 1), "SEX": s["SEX"],
        "RACE": s["RACE"], "ETHNIC": s["ETHNIC"], "ARM": s["ARM"], "ARM_LABEL": s["ARM_LABEL"],
        "PLANNED_ARM": s["PLANNED_ARM"], "ARM_STATUS": s["ARM_STATUS"], "ENROLLED": bool(s["ENROLLED"]),
        "DOSED": bool(s["DOSED"]) if model.dosing_known else None, "FIRST_DOSE": day_to_iso(s["FIRST_LO"]),
        "CONSENT": s["CONSENT_TEXT"], "CONSENT_SOURCE": s["CONSENT_SOURCE"],
        "LAST_CONTACT": day_to_iso(s["LAST_CONTACT"]),
        "FOLLOW_UP_DAYS": None if s["FU_DAYS"] != s["FU_DAYS"] else int(s["FU_DAYS"]), "DIED": bool(s["DIED"]),
        "DISPOSITION": s["DISPOSITION"],
    }
    ex, m_ex = _records(sub, "EX", usubjid, EXPOSURE_COLS)
    ae, m_ae = _records(sub, "AE", usubjid, AE_COLS)
    if len(ae):
        derived = model.adverse_events.loc[m_ae, ["TEAE", "RELATED", "SERIOUS", "GRADE"]].reset_index(drop=True)
        ae = pd.concat([ae, derived], axis=1)
    lb, m_lb = _records(sub, "LB", usubjid, LAB_COLS)
    if len(lb):
        flag = norm(col(lb, "LBNRIND")).fillna("")
        val = pd.to_numeric(col(lb, "LBSTRESN"), errors="coerce")
        lo, hi = pd.to_numeric(col(lb, "LBSTNRLO"), errors="coerce"), pd.to_numeric(col(lb, "LBSTNRHI"), errors="coerce")
        out = flag.isin({"HIGH", "LOW", "ABNORMAL", "H", "L"}) | (flag.eq("") & ((val > hi) | (val < lo)))
        lb = _with_day(sub, "LB", "LBDTC", lb, m_lb, first)[out.to_numpy(dtype=bool)].reset_index(drop=True)
    sv, m_sv = _records(sub, "SV", usubjid, VISIT_COLS)
    cm, m_cm = _records(sub, "CM", usubjid, CM_COLS)
    ds, m_ds = _records(sub, "DS", usubjid, DS_COLS)
    return SubjectProfile(
        usubjid, demography,
        _with_day(sub, "EX", "EXSTDTC", ex, m_ex, first), _with_day(sub, "AE", "AESTDTC", ae, m_ae, first), lb,
        _with_day(sub, "SV", "SVSTDTC", sv, m_sv, first), _with_day(sub, "CM", "CMSTDTC", cm, m_cm, first),
        _with_day(sub, "DS", "DSSTDTC", ds, m_ds, first),
        [f for f in findings if f.usubjid == usubjid])
