"""Laboratory safety (review-output.md "Laboratory conventions"): the LB tests, the summaries by visit, and the
hepatic safety of the eDISH plot — per arm, subjects with peak post-baseline ALT, AST > 3×ULN, total bilirubin
> 2×ULN and potential Hy's law (peak ALT or AST > 3×ULN and peak total bilirubin > 2×ULN), with their ids.

The hepatic tests are found through the rules file's ``liver_test`` vocabulary (LBTESTCD, else LBTEST): ALT, AST,
BILI, ALP and their synonyms. ×ULN is each record's standard result over its own LBSTNRHI, so tests in several
units combine. Evaluable: a dosed subject with at least one post-baseline ALT, AST or total bilirubin ×ULN.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..memo import memo
from ..submission import Submission
from ..text import obj
from ._common import arm_table, frame_records, reason
from .findings import findings_records, subject_tests, visit_summary

ANALYTES = ("alt", "ast", "bili", "alp")
HEPATIC_ROWS = ("evaluable", "alt_3x", "ast_3x", "alt_or_ast_3x", "bili_2x", "hys_law")
TRANSAMINASE_X, BILIRUBIN_X = 3.0, 2.0


def liver_keys(sub: Submission) -> dict[str, list[int]]:
    """Analyte (alt, ast, bili, alp) -> the LB test keys that measure it (LBTESTCD, else LBTEST, through the
    ``liver_test`` vocabulary)."""
    r = findings_records(sub, "LB")
    out: dict[str, list[int]] = {a: [] for a in ANALYTES}
    if r is None:
        return out
    vocab = sub.vocab.liver_test
    for k in r.keys.itertuples(index=False):
        analyte = vocab.category(k.TESTCD) or vocab.category(k.TEST)
        if analyte in out:
            out[analyte].append(int(k.KEY))
    return out


@memo
def hepatic_subjects(sub: Submission) -> pd.DataFrame:
    """Per evaluable dosed subject: USUBJID, ARM, ALT_X, AST_X, BILI_X, ALP_X (peak post-baseline result / ULN),
    TRANS_X (max of ALT_X and AST_X) and the flags ALT_3X, AST_3X, ALT_OR_AST_3X, BILI_2X, HYS_LAW."""
    cols = ["USUBJID", "ARM", "ALT_X", "AST_X", "BILI_X", "ALP_X", "TRANS_X", "ALT_3X", "AST_3X", "ALT_OR_AST_3X",
            "BILI_2X", "HYS_LAW"]
    st = subject_tests(sub, "LB")
    keys = liver_keys(sub)
    if st.empty or not (keys["alt"] or keys["ast"] or keys["bili"]):
        return pd.DataFrame(columns=cols)
    peaks = {}
    for analyte in ANALYTES:
        part = st[st["KEY"].isin(keys[analyte]) & st["PEAK_X"].notna()]
        peaks[analyte.upper() + "_X"] = part.groupby("USUBJID")["PEAK_X"].max()
    frame = pd.DataFrame(peaks)
    frame = frame[frame[["ALT_X", "AST_X", "BILI_X"]].notna().any(axis=1)]
    arm = st.drop_duplicates("USUBJID").set_index("USUBJID")["ARM"]
    out = pd.DataFrame({"USUBJID": obj(frame.index.to_numpy(dtype=object))})
    out["ARM"] = out["USUBJID"].map(arm).astype(object).where(lambda s: s.notna(), None)
    for c in ("ALT_X", "AST_X", "BILI_X", "ALP_X"):
        out[c] = frame[c].to_numpy(dtype=float)
    out["TRANS_X"] = np.fmax(out["ALT_X"].to_numpy(), out["AST_X"].to_numpy())
    with np.errstate(invalid="ignore"):
        out["ALT_3X"] = out["ALT_X"].to_numpy() > TRANSAMINASE_X
        out["AST_3X"] = out["AST_X"].to_numpy() > TRANSAMINASE_X
        out["ALT_OR_AST_3X"] = out["TRANS_X"].to_numpy() > TRANSAMINASE_X
        out["BILI_2X"] = out["BILI_X"].to_numpy() > BILIRUBIN_X
    out["HYS_LAW"] = out["ALT_OR_AST_3X"] & out["BILI_2X"]
    return out.sort_values("USUBJID").reset_index(drop=True)[cols]


def hepatic_counts(sub: Submission) -> pd.DataFrame:
    """Per arm (control first, then by dose) and ``ALL``: DOSED, then per hepatic row its count and subject ids."""
    from .findings import subject_arm

    arms = arm_table(sub)
    dosed = subject_arm(sub)
    h = hepatic_subjects(sub)
    rows = []
    groups = [(a.ARM, bool(a.CONTROL), dosed.index[dosed == a.ARM]) for a in arms.itertuples(index=False)]
    h_arm = h["ARM"].to_numpy(dtype=object)
    for label, control, members in groups + [("ALL", None, dosed.index)]:
        mine = h if label == "ALL" else h[h_arm == label]
        row = {"ARM": label, "CONTROL": control, "DOSED": len(members)}
        for key in HEPATIC_ROWS:
            hit = mine if key == "evaluable" else mine[mine[key.upper()].astype(bool)]
            row[key.upper()] = len(hit)
            row[f"{key.upper()}_IDS"] = sorted(hit["USUBJID"].tolist())
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class LabsResult:
    """LB tests, summaries by visit (``workbench.analyses.findings.visit_summary``), hepatic safety."""

    tests: pd.DataFrame                     # per test: KEY, TESTCD, TEST, SPEC, STRESU, LABEL, SUBJECTS, BASELINE, POST
    by_visit: pd.DataFrame                  # visit_summary(sub, "LB")
    hepatic: pd.DataFrame                   # hepatic_counts
    edish: pd.DataFrame                     # hepatic_subjects
    liver_tests: dict[str, list[str]] = field(default_factory=dict)   # analyte -> test labels used
    reason_code: str | None = None
    hepatic_reason_code: str | None = None

    def hepatic_dict(self) -> dict:
        out = {"arms": [], "total": None, "tests": self.liver_tests,
               "definition": "peak post-baseline result / LBSTNRHI; potential Hy's law: ALT or AST > 3xULN and "
                             "total bilirubin > 2xULN", **reason(self.hepatic_reason_code)}
        for r in self.hepatic.to_dict("records"):
            d = {"arm": r["ARM"], "control": r["CONTROL"], "dosed": int(r["DOSED"])}
            unknown = self.hepatic_reason_code is not None
            for key in HEPATIC_ROWS:
                d[key] = None if unknown else int(r[key.upper()])
            d["subjects"] = {key: ([] if unknown else list(r[f"{key.upper()}_IDS"])) for key in HEPATIC_ROWS
                             if key != "evaluable"}
            if r["ARM"] == "ALL":
                out["total"] = d
            else:
                out["arms"].append(d)
        return out

    def to_dict(self) -> dict:
        tests = frame_records(self.tests, {"TESTCD": "test", "TEST": "name", "SPEC": "specimen", "STRESU": "unit",
                                           "LABEL": "label", "SUBJECTS": "subjects", "BASELINE": "with_baseline",
                                           "POST": "with_post_baseline"})
        return {"tests": tests, "hepatic": self.hepatic_dict(), **reason(self.reason_code)}


def lab_tests(sub: Submission) -> pd.DataFrame:
    """Per LB test: its key columns and label, and the dosed subjects with a result, a baseline, a post-baseline."""
    r = findings_records(sub, "LB")
    cols = ["KEY", "TESTCD", "TEST", "SPEC", "STRESU", "LABEL", "SUBJECTS", "BASELINE", "POST"]
    if r is None:
        return pd.DataFrame(columns=cols)
    st = subject_tests(sub, "LB")
    g = st.groupby("KEY")
    out = r.keys.copy()
    out["SUBJECTS"] = g["USUBJID"].size().reindex(out["KEY"]).fillna(0).astype(int).to_numpy()
    base_known = st[st["BASE"].notna() | (st["BASE_RANK"] > 0)].groupby("KEY").size()
    out["BASELINE"] = base_known.reindex(out["KEY"]).fillna(0).astype(int).to_numpy()
    out["POST"] = st[st["N_POST"] > 0].groupby("KEY").size().reindex(out["KEY"]).fillna(0).astype(int).to_numpy()
    out = out[out["SUBJECTS"] > 0]
    return out[cols].reset_index(drop=True)


def labs_analysis(sub: Submission) -> LabsResult:
    """The laboratory analysis of one submission (never raises for missing data: a reason instead)."""
    model = sub.study
    empty = pd.DataFrame()
    lb = sub.domain("LB")
    if lb is None:
        return LabsResult(empty, empty, empty, empty, reason_code="no_lb", hepatic_reason_code="no_lb")
    if findings_records(sub, "LB") is None:
        return LabsResult(empty, empty, empty, empty, reason_code="no_lb_tests", hepatic_reason_code="no_lb_tests")
    if not model.dosing_known:
        tests = lab_tests(sub)
        return LabsResult(tests, empty, hepatic_counts(sub), empty, reason_code="no_ex", hepatic_reason_code="no_ex")
    r = findings_records(sub, "LB")
    keys = liver_keys(sub)
    labels = {a: [str(r.keys.loc[k, "LABEL"]) for k in ks] for a, ks in keys.items()}
    h_code = None if (keys["alt"] or keys["ast"] or keys["bili"]) else "no_liver_tests"
    return LabsResult(lab_tests(sub), visit_summary(sub, "LB"), hepatic_counts(sub), hepatic_subjects(sub),
                      labels, None, h_code)
