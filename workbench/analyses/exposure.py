"""Exposure per arm: enrolled, dosed, not dosed (with DS reasons), administrations, lots, total cells."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..columns import col, dates
from ..text import norm
from ..submission import Submission
from ..units import to_number
from ._common import arm_table, fnum, inum, reason

POUND_TO_KG = 0.45359237


def subject_weights(sub: Submission) -> pd.Series:
    """Body weight (kg) per subject from VS WEIGHT: the last record on or before first dose, else the first one."""
    vs = sub.domain("VS")
    if vs is None or "USUBJID" not in vs.columns:
        return pd.Series(dtype=float)
    is_w = norm(col(vs, "VSTESTCD")) == "WEIGHT"
    if not is_w.any():
        return pd.Series(dtype=float)
    w = vs[is_w.to_numpy()]
    val = to_number(col(w, "VSSTRESN"))
    unit = norm(col(w, "VSSTRESU"))
    orres = to_number(col(w, "VSORRES"))
    ounit = norm(col(w, "VSORRESU"))
    unit = unit.where(val.notna(), ounit)
    val = val.where(val.notna(), orres)
    val = val.where(~unit.fillna("").isin({"LB", "LBS"}), val * POUND_TO_KG)
    d = dates(sub, "VS", "VSDTC")
    t = pd.DataFrame({"USUBJID": w["USUBJID"].to_numpy(), "KG": val.to_numpy(dtype=float),
                      "DAY": d.lo[is_w.to_numpy()]})
    t = t[t["KG"].notna()]
    if t.empty:
        return pd.Series(dtype=float)
    fd = sub.study.first_dose
    t["FIRST"] = t["USUBJID"].map(fd["FIRST_LO"]) if len(fd) else np.nan
    t["PRE"] = t["DAY"] <= t["FIRST"]
    t = t.sort_values(["USUBJID", "DAY"], na_position="first")
    pre = t[t["PRE"]].groupby("USUBJID")["KG"].last()
    first = t.groupby("USUBJID")["KG"].first()
    return pre.combine_first(first)


@dataclass
class ExposureResult:
    """One row per arm (control first, then by dose)."""

    arms: pd.DataFrame
    reason_code: str | None = None
    notes: list[dict] = field(default_factory=list)

    def to_dict(self) -> list[dict]:
        out = []
        for r in self.arms.to_dict("records"):
            out.append({"arm": r["ARM"], "dose": fnum(r["DOSE"]), "dose_unit": r["DOSE_UNIT"],
                        "control": bool(r["CONTROL"]), "in_manifest": bool(r["IN_MANIFEST"]),
                        "enrolled": int(r["ENROLLED"]), "dosed": inum(r["DOSED"]),
                        "not_dosed": inum(r["NOT_DOSED"]),
                        "not_dosed_reasons": r["NOT_DOSED_REASONS"], "administrations": int(r["ADMINISTRATIONS"]),
                        "lots": list(r["LOTS"]), "routes": list(r["ROUTES"]), "total_cells": fnum(r["TOTAL_CELLS"]),
                        "total_cells_complete": bool(r["TOTAL_CELLS_COMPLETE"]), "label": _text(r["LABEL"]),
                        "role_rule": r["ROLE_RULE"], "role_evidence": _text(r["ROLE_EVIDENCE"])})
        return out

    def reason_dict(self) -> dict | None:
        return reason(self.reason_code) if self.reason_code else None


NO_DS_RECORD = "(no DS record)"


def _text(v):
    return None if v is None or (isinstance(v, float) and v != v) else str(v)


def exposure_analysis(sub: Submission) -> ExposureResult:
    """Per arm: subjects enrolled (planned arm), dosed (actual arm), not dosed (planned arm, with DS reasons),
    administrations, lots, routes, total cells."""
    arms = arm_table(sub)
    cols = ["ARM", "DOSE", "DOSE_UNIT", "CONTROL", "IN_MANIFEST", "ENROLLED", "DOSED", "NOT_DOSED",
            "NOT_DOSED_REASONS", "ADMINISTRATIONS", "LOTS", "ROUTES", "TOTAL_CELLS", "TOTAL_CELLS_COMPLETE",
            "LABEL", "ROLE_RULE", "ROLE_EVIDENCE"]
    if arms.empty:
        code = "no_dm" if sub.domain("DM") is None else "no_arms"
        return ExposureResult(pd.DataFrame(columns=cols), code)
    model = sub.study
    subj = model.subjects
    ex = model.exposure
    dosed = model.dosed
    ds = model.disposition
    if len(ds):   # DSDECOD, with the verbatim DSTERM when the decode is only OTHER
        term = ds["TERM"].astype("object").where(ds["TERM"].notna(), None)
        label = [f"{d}: {str(t_).strip()}" if d == "OTHER" and t_ is not None else d
                 for d, t_ in zip(ds["DECOD"], term)]
        collected: dict = {}
        for u, lab in zip(ds["USUBJID"].tolist(), label):
            if u is None or u != u:   # no subject (a groupby drops missing keys)
                continue
            collected.setdefault(u, set()).add(lab)
        reasons_by_subject = collected      # sorted when used (for the few subjects not dosed)
    else:
        reasons_by_subject = {}
    weights = subject_weights(sub) if len(ex) and (ex["DOSE_UNIT_N"] == "cells/kg").any() else pd.Series(dtype=float)
    if len(ex):
        ex = ex[ex["USUBJID"].isin(dosed)]
    rows = []
    for a in arms.itertuples(index=False):
        # enrolled and not dosed by the planned arm (the actual arm of an untreated subject is e.g. NOTTRT);
        # dosed by the actual arm (analyses.md)
        s = subj[(subj["PLANNED_ARM"] == a.ARM) & subj["ENROLLED"]] if len(subj) else subj
        in_arm_dosed = subj["USUBJID"][(subj["ARM"] == a.ARM) & subj["DOSED"]] if len(subj) else pd.Series(dtype=object)
        not_dosed = s["USUBJID"][~s["DOSED"]] if len(s) else pd.Series(dtype=object)
        why: dict[str, int] = {}
        for u in not_dosed:
            for r in sorted(reasons_by_subject[u]) if u in reasons_by_subject else [NO_DS_RECORD]:
                why[r] = why.get(r, 0) + 1
        e = ex[ex["ARM"] == a.ARM] if len(ex) else ex
        if len(e) and not a.CONTROL:
            e = e[e["DOSE_RAW"].fillna(0) > 0]
        lots = sorted({str(v) for v in col(e, "EXLOT").dropna()}) if len(e) else []
        routes = sorted({str(v) for v in norm(col(e, "EXROUTE")).dropna()}) if len(e) else []
        total, complete = _total_cells(e, weights)
        rows.append({"ARM": a.ARM, "DOSE": a.DOSE, "DOSE_UNIT": a.DOSE_UNIT, "CONTROL": a.CONTROL,
                     "IN_MANIFEST": a.IN_MANIFEST, "ENROLLED": len(s),
                     "DOSED": len(in_arm_dosed) if model.dosing_known else None,
                     "NOT_DOSED": len(not_dosed) if model.dosing_known else None,
                     "NOT_DOSED_REASONS": why if model.dosing_known else {}, "ADMINISTRATIONS": len(e),
                     "LABEL": a.LABEL, "ROLE_RULE": a.ROLE_RULE, "ROLE_EVIDENCE": a.ROLE_EVIDENCE,
                     "LOTS": lots, "ROUTES": routes, "TOTAL_CELLS": total, "TOTAL_CELLS_COMPLETE": complete})
    code = None
    if sub.domain("DM") is None:
        code = "no_dm"
    elif sub.domain("EX") is None:
        code = "no_ex"
    return ExposureResult(pd.DataFrame(rows, columns=cols), code)


def _total_cells(e: pd.DataFrame, weights: pd.Series) -> tuple[float | None, bool]:
    """Sum of cells administered: EXDOSE in cells, or cells/kg × body weight (kg). (total, every record derivable)."""
    if e is None or len(e) == 0:
        return None, False
    dose = e["DOSE_N"].astype(float)
    unit = e["DOSE_UNIT_N"]
    kg = e["USUBJID"].map(weights).astype(float) if len(weights) else pd.Series(np.nan, index=e.index)
    cells = np.where(unit == "cells", dose, np.where(unit == "cells/kg", dose * kg, np.nan))
    cells = pd.Series(cells, index=e.index, dtype=float)
    if cells.notna().sum() == 0:
        return None, False
    return float(cells.sum()), bool(cells.notna().all())
