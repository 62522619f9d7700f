"""Hepatic safety per subject (review-output.md "Laboratory conventions"): peak post-baseline ALT, AST and total
bilirubin as multiples of the upper limit of normal, and potential Hy's law (ALT or AST > 3×ULN and total
bilirubin > 2×ULN), for REC-004.

Interim: the library's laboratory analysis (``workbench.analyses.labs``, branch ``tables``) computes the same
frame (``hepatic_subjects``, same columns, same conventions); when it lands, REC-004 reads that one and this
module goes. ULN is LBSTNRHI; ×ULN is each record's LBSTRESN over its own LBSTNRHI; post-baseline is after the
first dose date and not the baseline record (LBBLFL = Y); evaluable: a dosed subject with at least one
post-baseline ALT, AST or total bilirubin ×ULN.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import col, dates
from ..memo import memo
from ..study.events import yes
from ..submission import Submission
from ..text import id_value, norm_value
from ..units import to_number

TRANSAMINASE_X, BILIRUBIN_X = 3.0, 2.0
# LBTESTCD (CDISC controlled terminology) of the hepatic tests, with common sponsor synonyms
LIVER_TESTS = {"ALT": ("ALT", "SGPT"), "AST": ("AST", "SGOT"), "BILI": ("BILI", "TBILI")}
COLUMNS = ["USUBJID", "ARM", "ALT_X", "AST_X", "BILI_X", "TRANS_X", "ALT_3X", "AST_3X", "ALT_OR_AST_3X", "BILI_2X",
           "HYS_LAW"]


@memo
def hepatic_subjects(sub: Submission) -> pd.DataFrame:
    """Per evaluable dosed subject: USUBJID, ARM, ALT_X, AST_X, BILI_X (peak post-baseline result / ULN), TRANS_X
    (max of ALT_X and AST_X) and the flags ALT_3X, AST_3X, ALT_OR_AST_3X, BILI_2X, HYS_LAW."""
    lb = sub.domain("LB")
    model = sub.study
    if lb is None or "USUBJID" not in lb.columns or not model.dosed:
        return pd.DataFrame(columns=COLUMNS)
    code = col(lb, "LBTESTCD").map(norm_value)
    analyte = pd.Series(None, index=lb.index, dtype=object)
    for name, codes in LIVER_TESTS.items():
        analyte[code.isin(codes)] = name
    subj = lb["USUBJID"].map(id_value)
    first = model.first_dose["FIRST_HI"] if len(model.first_dose) else pd.Series(dtype=float)
    day = dates(sub, "LB", "LBDTC").lo
    post = day > subj.map(first).to_numpy(dtype=float)
    baseline = yes(sub, "LB", "LBBLFL")
    with np.errstate(divide="ignore", invalid="ignore"):
        times = to_number(col(lb, "LBSTRESN")).to_numpy(dtype=float) / \
            to_number(col(lb, "LBSTNRHI")).to_numpy(dtype=float)
    keep = analyte.notna().to_numpy() & post & ~baseline & np.isfinite(times) & subj.isin(model.dosed).to_numpy()
    if not keep.any():
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.DataFrame({"USUBJID": subj[keep].to_numpy(dtype=object), "A": analyte[keep].to_numpy(dtype=object),
                          "X": times[keep]})
    peaks = frame.pivot_table(index="USUBJID", columns="A", values="X", aggfunc="max")
    out = pd.DataFrame({"USUBJID": peaks.index.to_numpy(dtype=object)})
    for name in LIVER_TESTS:
        out[f"{name}_X"] = peaks[name].to_numpy(dtype=float) if name in peaks.columns else np.nan
    arms = model.subjects["ARM"] if len(model.subjects) else pd.Series(dtype=object)
    out["ARM"] = out["USUBJID"].map(arms).astype(object).where(lambda s: s.notna(), None)
    out["TRANS_X"] = np.fmax(out["ALT_X"].to_numpy(), out["AST_X"].to_numpy())
    with np.errstate(invalid="ignore"):
        out["ALT_3X"] = out["ALT_X"].to_numpy() > TRANSAMINASE_X
        out["AST_3X"] = out["AST_X"].to_numpy() > TRANSAMINASE_X
        out["ALT_OR_AST_3X"] = out["TRANS_X"].to_numpy() > TRANSAMINASE_X
        out["BILI_2X"] = out["BILI_X"].to_numpy() > BILIRUBIN_X
    out["HYS_LAW"] = out["ALT_OR_AST_3X"] & out["BILI_2X"]
    return out.sort_values("USUBJID").reset_index(drop=True)[COLUMNS]
