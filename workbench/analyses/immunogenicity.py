"""Immune response to the product (IS domain): guideline G-2.3.2b (repeated allogeneic dosing may induce an immune
response), G-2.2.1 (host-versus-graft reactions) and G-3.1a (immunogenicity in long-term follow-up).

A result is positive or negative through the ``test_result`` vocabulary of the rules file (ISSTRESC, else
ISORRES), else numerically (ISSTRESN above ISSTNRHI is positive, at or below it negative). Baseline: the record
flagged ``ISBLFL='Y'``, else the last result on or before the first dose; post-dose: results after the first-dose
day. Per test and arm: subjects with a post-dose result, baseline positive, any post-dose positive, and
treatment-emergent positive (negative at baseline, positive after dosing) — overall and among subjects given more
than one administration; and positives per visit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import col, dates, norm_col
from ..submission import Submission
from ..units import to_number
from ._common import arm_table, frame_records, pct, reason

ARM_COLUMNS = ["TEST", "TESTCD", "ARM", "CONTROL", "TESTED", "BASELINE_TESTED", "BASELINE_POSITIVE", "POSITIVE",
               "TE_POSITIVE", "TE_POSITIVE_PCT", "REPEAT_DOSED", "REPEAT_TE_POSITIVE"]
VISIT_COLUMNS = ["TESTCD", "ARM", "VISIT", "VISITNUM", "TESTED", "POSITIVE", "POSITIVE_PCT"]


@dataclass
class ImmunogenicityResult:
    arms: pd.DataFrame
    visits: pd.DataFrame
    source: str | None = None            # allogeneic | autologous, as declared
    repeat_dosed: int = 0                # subjects given more than one administration of the product
    unread: int = 0                      # results neither positive nor negative
    reason_code: str | None = None

    def to_dict(self) -> dict:
        names = {c: c.lower() for c in ARM_COLUMNS}
        return {"source": self.source, "repeat_dosed": self.repeat_dosed, "unread_results": self.unread,
                "by_arm": frame_records(self.arms, names),
                "by_visit": frame_records(self.visits, {c: c.lower() for c in VISIT_COLUMNS}),
                **reason(self.reason_code)}

    def reason_dict(self) -> dict | None:
        return reason(self.reason_code) if self.reason_code else None


def _positive(sub: Submission, isd: pd.DataFrame) -> np.ndarray:
    """True / False / None per IS record (text through the vocabulary, else the number against ISSTNRHI)."""
    v = sub.vocab.test_result
    out = np.full(len(isd), None, dtype=object)
    for var in ("ISORRES", "ISSTRESC"):          # the standard result wins when both are readable
        if var in isd.columns:
            cat = col(isd, var).map(v.category).to_numpy(dtype=object)
            out = np.where(cat == "positive", True, np.where(cat == "negative", False, out))
    num, hi = to_number(col(isd, "ISSTRESN")).to_numpy(), to_number(col(isd, "ISSTNRHI")).to_numpy()
    numeric = pd.isna(out) & ~np.isnan(num) & ~np.isnan(hi)
    out[numeric] = num[numeric] > hi[numeric]
    return out


def repeat_dosed(sub: Submission) -> set:
    """Subjects with product administrations on more than one day (active arms)."""
    ex = sub.study.exposure
    if ex.empty:
        return set()
    given = ex[(ex["DOSE_RAW"] > 0).to_numpy() & ~ex["CONTROL"].to_numpy(dtype=bool) & ex["START_LO"].notna().to_numpy()]
    days = given.groupby("USUBJID")["START_LO"].nunique()
    return set(days.index[days > 1])


def immunogenicity_analysis(sub: Submission) -> ImmunogenicityResult:
    """Baseline, post-dose and treatment-emergent positive results per IS test and arm, and positives per visit."""
    res = ImmunogenicityResult(pd.DataFrame(columns=ARM_COLUMNS), pd.DataFrame(columns=VISIT_COLUMNS),
                               sub.m.product.source)
    isd = sub.domain("IS")
    if isd is None or "USUBJID" not in isd.columns or "ISTESTCD" not in isd.columns:
        res.reason_code = "no_is"
        return res
    dosed = sub.study.dosed
    repeat = repeat_dosed(sub)
    res.repeat_dosed = len(repeat)
    pos = _positive(sub, isd)
    d = dates(sub, "IS", "ISDTC")
    fd = sub.study.first_dose
    u = isd["USUBJID"]
    first_lo = u.map(fd["FIRST_LO"]).to_numpy(dtype=float) if len(fd) else np.full(len(isd), np.nan)
    first_hi = u.map(fd["FIRST_HI"]).to_numpy(dtype=float) if len(fd) else np.full(len(isd), np.nan)
    blfl = norm_col(sub, "IS", "ISBLFL").to_numpy(dtype=object) if "ISBLFL" in isd.columns else np.full(len(isd), None)
    r = pd.DataFrame({"USUBJID": u.to_numpy(dtype=object), "TESTCD": norm_col(sub, "IS", "ISTESTCD").to_numpy(),
                      "TEST": col(isd, "ISTEST").to_numpy(dtype=object), "POS": pos,
                      "VISIT": col(isd, "VISIT").to_numpy(dtype=object),
                      "VISITNUM": to_number(col(isd, "VISITNUM")).to_numpy(dtype=float),
                      "BL": blfl == "Y", "PRE": d.hi <= first_lo, "POST": d.lo > first_hi, "LO": d.lo})
    res.unread = int(pd.isna(r["POS"]).sum())
    r = r[r["USUBJID"].isin(dosed) & r["POS"].notna() & r["TESTCD"].notna()]
    if r.empty:
        res.reason_code = "no_is_results"
        return res
    r["POS"] = r["POS"].astype(bool)
    r["ARM"] = r["USUBJID"].map(sub.study.subjects["ARM"])
    pre_last = r[r["PRE"] & ~r["BL"]].sort_values("LO", kind="stable").groupby(["USUBJID", "TESTCD"]).tail(1)
    base = pd.concat([r[r["BL"]], pre_last]).drop_duplicates(["USUBJID", "TESTCD"], keep="first")
    base_pos = base.set_index(["USUBJID", "TESTCD"])["POS"]
    post = r[r["POST"] & ~r["BL"]]
    rows, vrows = [], []
    for (testcd, arm), g in post.groupby(["TESTCD", "ARM"], sort=True):
        subj = g.groupby("USUBJID")["POS"].any()
        key = pd.MultiIndex.from_arrays([subj.index, [testcd] * len(subj)])
        b = base_pos.reindex(key)
        te = subj.to_numpy() & (b.to_numpy(dtype=object) == False)  # noqa: E712 - negative baseline only
        rep = subj.index.isin(repeat)
        ctrl = bool(arm_table(sub).set_index("ARM")["CONTROL"].get(arm, False))
        rows.append({"TEST": g["TEST"].dropna().iloc[0] if g["TEST"].notna().any() else testcd, "TESTCD": testcd,
                     "ARM": arm, "CONTROL": ctrl, "TESTED": int(len(subj)), "BASELINE_TESTED": int(b.notna().sum()),
                     "BASELINE_POSITIVE": int((b == True).sum()),  # noqa: E712
                     "POSITIVE": int(subj.sum()), "TE_POSITIVE": int(te.sum()), "TE_POSITIVE_PCT": pct(int(te.sum()), len(subj)),
                     "REPEAT_DOSED": int(rep.sum()), "REPEAT_TE_POSITIVE": int((te & rep).sum())})
        for visit, v in g.groupby("VISIT", sort=False):
            per = v.groupby("USUBJID")["POS"].any()
            vrows.append({"TESTCD": testcd, "ARM": arm, "VISIT": visit, "VISITNUM": v["VISITNUM"].median(),
                          "TESTED": int(len(per)), "POSITIVE": int(per.sum()), "POSITIVE_PCT": pct(int(per.sum()), len(per))})
    res.arms = pd.DataFrame(rows, columns=ARM_COLUMNS)
    res.visits = pd.DataFrame(vrows, columns=VISIT_COLUMNS).sort_values(["TESTCD", "ARM", "VISITNUM"], kind="stable") \
        .reset_index(drop=True)
    if res.arms.empty:
        res.reason_code = "no_is_results"
    return res
