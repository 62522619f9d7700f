"""Persistence and distribution of the cells in the body (guideline G-2.2.1: survival and biodistribution as secondary
aims of exploratory trials; G-3.1a: persistence in long-term follow-up).

Sources: PC (concentrations, e.g. donor-specific DNA or vector copies by qPCR, per specimen), the domain named in
submission.yaml ``study.persistence_domain`` (same variables with its own prefix), and PP (parameters derived from
them). A result is detected when its text reads positive through the ``test_result`` vocabulary, or when its
number is at or above ``--LLOQ`` (above 0 without one); text such as ``<LLOQ`` or ``BLQ`` is not detected.
Per analyte (and specimen) and arm: subjects sampled after the first dose, subjects ever detected, the last day
detected (days after the first dose: median and longest) and subjects still detected at their last sample; per
visit: sampled, detected, median value. PP: per parameter and arm, n, median, min and max.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..columns import col, dates, norm_col
from ..submission import Submission
from ..units import to_number
from ._common import fnum, frame_records, pct, reason

ANALYTE_COLUMNS = ["DOMAIN", "TESTCD", "TEST", "SPEC", "ARM", "SAMPLED", "DETECTED", "DETECTED_PCT",
                   "LAST_DETECTED_MEDIAN_DAY", "LAST_DETECTED_MAX_DAY", "DETECTED_AT_LAST_SAMPLE"]
VISIT_COLUMNS = ["DOMAIN", "TESTCD", "SPEC", "ARM", "VISIT", "VISITNUM", "SAMPLED", "DETECTED", "MEDIAN", "UNIT"]
PARAM_COLUMNS = ["TESTCD", "TEST", "ARM", "N", "MEDIAN", "MIN", "MAX", "UNIT"]
_BELOW = re.compile(r"^\s*[<＜]")


@dataclass
class PersistenceResult:
    analytes: pd.DataFrame
    visits: pd.DataFrame
    parameters: pd.DataFrame
    domains: list[str] = field(default_factory=list)
    reason_code: str | None = None
    reason_fmt: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        low = lambda cols: {c: c.lower() for c in cols}  # noqa: E731
        return {"domains": self.domains, "analytes": frame_records(self.analytes, low(ANALYTE_COLUMNS)),
                "visits": frame_records(self.visits, low(VISIT_COLUMNS)),
                "parameters": frame_records(self.parameters, low(PARAM_COLUMNS)),
                **reason(self.reason_code, **self.reason_fmt)}

    def reason_dict(self) -> dict | None:
        return reason(self.reason_code, **self.reason_fmt) if self.reason_code else None


def _records(sub: Submission, dom: str) -> pd.DataFrame | None:
    """Post-dose records of dosed subjects in a concentration-like domain, with DETECTED, VALUE and DAY."""
    df = sub.domain(dom)
    p = dom
    if df is None or "USUBJID" not in df.columns or f"{p}TESTCD" not in df.columns:
        return None
    text = col(df, f"{p}STRESC").where(col(df, f"{p}STRESC").notna(), col(df, f"{p}ORRES"))
    cat = text.map(sub.vocab.test_result.category).to_numpy(dtype=object)
    value = to_number(col(df, f"{p}STRESN"))
    value = value.where(value.notna(), to_number(text)).to_numpy(dtype=float)
    lloq = to_number(col(df, f"{p}LLOQ")).to_numpy(dtype=float)
    below = text.map(lambda t: isinstance(t, str) and bool(_BELOW.match(t))).to_numpy(dtype=bool)
    numeric = np.where(np.isnan(lloq), value > 0, value >= lloq)
    detected = np.where(cat == "positive", True, np.where(cat == "negative", False,
                        np.where(below, False, np.where(np.isnan(value), None, numeric))))
    d = dates(sub, dom, f"{p}DTC")
    fd = sub.study.first_dose
    first = df["USUBJID"].map(fd["FIRST_LO"]).to_numpy(dtype=float) if len(fd) else np.full(len(df), np.nan)
    r = pd.DataFrame({"USUBJID": df["USUBJID"].to_numpy(dtype=object), "DOMAIN": dom,
                      "TESTCD": norm_col(sub, dom, f"{p}TESTCD").to_numpy(),
                      "TEST": col(df, f"{p}TEST").to_numpy(dtype=object),
                      "SPEC": col(df, f"{p}SPEC").to_numpy(dtype=object), "DETECTED": detected, "VALUE": value,
                      "UNIT": col(df, f"{p}STRESU").to_numpy(dtype=object),
                      "VISIT": col(df, "VISIT").to_numpy(dtype=object),
                      "VISITNUM": to_number(col(df, "VISITNUM")).to_numpy(dtype=float), "DAY": d.lo - first})
    r = r[r["USUBJID"].isin(sub.study.dosed) & (r["DAY"] > 0) & r["DETECTED"].notna() & r["TESTCD"].notna()]
    r["DETECTED"] = r["DETECTED"].astype(bool)
    r["SPEC"] = r["SPEC"].where(r["SPEC"].notna(), "")
    r["ARM"] = r["USUBJID"].map(sub.study.subjects["ARM"])
    return r


def _analytes(r: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    rows, vrows = [], []
    for (dom, testcd, spec, arm), g in r.groupby(["DOMAIN", "TESTCD", "SPEC", "ARM"], sort=True):
        g = g.sort_values("DAY", kind="stable")
        sampled = g["USUBJID"].nunique()
        det = g[g["DETECTED"]]
        last_det = det.groupby("USUBJID")["DAY"].max()
        at_last = g.groupby("USUBJID")["DETECTED"].last()
        rows.append({"DOMAIN": dom, "TESTCD": testcd, "TEST": g["TEST"].dropna().iloc[0] if g["TEST"].notna().any()
                     else testcd, "SPEC": spec, "ARM": arm, "SAMPLED": int(sampled), "DETECTED": int(len(last_det)),
                     "DETECTED_PCT": pct(len(last_det), sampled),
                     "LAST_DETECTED_MEDIAN_DAY": fnum(last_det.median()) if len(last_det) else None,
                     "LAST_DETECTED_MAX_DAY": fnum(last_det.max()) if len(last_det) else None,
                     "DETECTED_AT_LAST_SAMPLE": int(at_last.sum())})
        for visit, v in g.groupby("VISIT", sort=False):
            vals = v.loc[v["DETECTED"], "VALUE"].dropna()
            vrows.append({"DOMAIN": dom, "TESTCD": testcd, "SPEC": spec, "ARM": arm, "VISIT": visit,
                          "VISITNUM": fnum(v["VISITNUM"].median()), "SAMPLED": int(v["USUBJID"].nunique()),
                          "DETECTED": int(v.loc[v["DETECTED"], "USUBJID"].nunique()),
                          "MEDIAN": fnum(vals.median()) if len(vals) else None,
                          "UNIT": v["UNIT"].dropna().iloc[0] if v["UNIT"].notna().any() else None})
    return rows, vrows


def _parameters(sub: Submission) -> list[dict]:
    pp = sub.domain("PP")
    if pp is None or "USUBJID" not in pp.columns or "PPTESTCD" not in pp.columns:
        return []
    v = to_number(col(pp, "PPSTRESN"))
    v = v.where(v.notna(), to_number(col(pp, "PPORRES")))
    r = pd.DataFrame({"USUBJID": pp["USUBJID"], "TESTCD": norm_col(sub, "PP", "PPTESTCD"),
                      "TEST": col(pp, "PPTEST"), "VALUE": v, "UNIT": col(pp, "PPSTRESU")})
    r = r[r["USUBJID"].isin(sub.study.dosed) & r["VALUE"].notna()]
    r["ARM"] = r["USUBJID"].map(sub.study.subjects["ARM"])
    out = []
    for (testcd, arm), g in r.groupby(["TESTCD", "ARM"], sort=True):
        out.append({"TESTCD": testcd, "TEST": g["TEST"].dropna().iloc[0] if g["TEST"].notna().any() else testcd,
                    "ARM": arm, "N": int(len(g)), "MEDIAN": fnum(g["VALUE"].median()), "MIN": fnum(g["VALUE"].min()),
                    "MAX": fnum(g["VALUE"].max()), "UNIT": g["UNIT"].dropna().iloc[0] if g["UNIT"].notna().any()
                    else None})
    return out


def persistence_analysis(sub: Submission) -> PersistenceResult:
    """Detection of the product over time per analyte, specimen and arm (PC and a declared domain); PP parameters."""
    declared = sub.m.study.persistence_domain
    doms = ["PC"] + ([declared] if declared and declared != "PC" else [])
    parts = [r for r in (_records(sub, d) for d in doms) if r is not None and len(r)]
    rows, vrows = _analytes(pd.concat(parts, ignore_index=True)) if parts else ([], [])
    params = _parameters(sub)
    res = PersistenceResult(pd.DataFrame(rows, columns=ANALYTE_COLUMNS), pd.DataFrame(vrows, columns=VISIT_COLUMNS),
                            pd.DataFrame(params, columns=PARAM_COLUMNS),
                            [d for d in doms + ["PP"] if sub.has(d)])
    if not rows and not params:
        res.reason_code = "no_persistence"
        res.reason_fmt = {"declared": f" / {declared} (study.persistence_domain)" if declared else ""}
    return res
