"""Follow-up per arm against the required duration (analyses.md "Follow-up"; guideline G-3.1b)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..columns import coded
from ..submission import Submission
from ._common import arm_table, fnum, pct, reason



def subject_follow_up(sub: Submission) -> pd.DataFrame:
    """One row per dosed subject: ARM, DAYS (last contact − first dose), MET (≥ required), DIED, WITHDREW
    (discontinued before the requirement), WINDOW (followed ≥ DLT window), LTFU."""
    params = sub.study.parameters
    required = params.required_followup_days
    window = params.dlt_window_days
    model = sub.study
    subj = model.subjects
    dosed = sorted(model.dosed)
    t = pd.DataFrame({"USUBJID": pd.Series(dosed, dtype=object)})
    t["ARM"] = t["USUBJID"].map(subj["ARM"]).astype(object) if len(subj) else None
    t["DAYS"] = t["USUBJID"].map(model.follow_up_days).astype(float)
    t["MET"] = t["DAYS"] >= required
    died = set(model.deaths["USUBJID"].dropna())
    t["DIED"] = t["USUBJID"].isin(died)
    # withdrawals: a disposition event other than completion, death or "ongoing", dated before the requirement
    # (or undated while the subject's follow-up falls short of it)
    ds = model.disposition
    ds = ds[~ds["CATEGORY"].isin(["completed", "death", "ongoing"])] if len(ds) else ds
    if len(ds):
        fd = model.first_dose
        first = ds["USUBJID"].map(fd["FIRST_LO"]).astype(float) if len(fd) else np.nan
        rel = ds["DATE_LO"] - first
        fu = ds["USUBJID"].map(t.set_index("USUBJID")["DAYS"]).astype(float)
        before = (rel < required) | (rel.isna() & ~(fu >= required))
        withdrew = set(ds.loc[before.fillna(False).astype(bool), "USUBJID"])
    else:
        withdrew = set()
    t["WITHDREW"] = t["USUBJID"].isin(withdrew) & ~t["MET"]
    # followed for the DLT window: follow-up days >= window, nothing else (evidence-tiers.md T2/T3; a DLT or a
    # death before the end of the window does not count as follow-up, unlike the DLT-evaluable n of dlt.levels)
    t["WINDOW"] = t["DAYS"] >= window
    t["LTFU"] = t["USUBJID"].isin(ltfu_subjects(sub))
    return t


def ltfu_subjects(sub: Submission) -> set:
    """Subjects with an SV visit in the long-term follow-up epoch (EPOCH or SVEPOCH)."""
    sv = sub.domain("SV")
    if sv is None or "USUBJID" not in sv.columns:
        return set()
    hit = np.zeros(len(sv), dtype=bool)
    for var in ("EPOCH", "SVEPOCH"):
        c = coded(sub, "SV", var)
        hit |= c.mask(sub.vocab.epoch.classify(c.uniques) == "long_term_follow_up")
    return set(coded(sub, "SV", "USUBJID").present_uniques(hit))


@dataclass
class FollowUpResult:
    required_days: int
    window_days: int
    arms: pd.DataFrame
    total: dict
    subjects: pd.DataFrame
    reason_code: str | None = None
    notes: list[dict] = field(default_factory=list)
    required_declared: int | None = None      # submission.yaml followup.required_days (None: not declared)
    required_source: str = ""                 # where required_days comes from, in words
    required_source_zh: str = ""
    overrides: list[dict] = field(default_factory=list)

    def to_dict(self) -> list[dict]:
        """review.json ``analyses.follow_up``: one row per arm (review-output.md), each also carrying the
        required follow-up and the DLT window it was measured against."""
        arms = []
        for r in self.arms.to_dict("records"):
            row = {k: (fnum(v) if isinstance(v, float) else v) for k, v in r.items()}
            arms.append({**row, "required_days": self.required_days, "window_days": self.window_days})
        return arms

    def summary_dict(self) -> dict:
        """review.json ``analyses.follow_up_summary``: requirement, window, all dosed subjects, reason, notes."""
        return {"required_days": self.required_days, "window_days": self.window_days,
                "required_days_declared": self.required_declared, "required_source": self.required_source,
                "required_source_zh": self.required_source_zh, "overrides": self.overrides, "total": self.total,
                **reason(self.reason_code), "notes": self.notes}

    def reason_dict(self) -> dict | None:
        return reason(self.reason_code) if self.reason_code else None

    def detail_dict(self) -> dict:
        """The summary with the arm rows under ``arms`` (what the follow-up figure draws)."""
        return {**self.summary_dict(), "arms": self.to_dict()}


def _summary(label, control, s: pd.DataFrame) -> dict:
    days = s["DAYS"].dropna()
    n = len(s)
    return {"arm": label, "control": control, "dosed": n, "known": int(len(days)),
            "min_days": fnum(days.min()) if len(days) else None,
            "q1_days": fnum(days.quantile(0.25)) if len(days) else None,
            "median_days": fnum(days.median()) if len(days) else None,
            "q3_days": fnum(days.quantile(0.75)) if len(days) else None,
            "max_days": fnum(days.max()) if len(days) else None,
            "meeting_requirement": int(s["MET"].sum()), "meeting_pct": pct(int(s["MET"].sum()), n),
            "meeting_or_died": int((s["MET"] | s["DIED"]).sum()),
            "deaths": int(s["DIED"].sum()), "deaths_before_requirement": int((s["DIED"] & ~s["MET"]).sum()),
            "withdrawals": int(s["WITHDREW"].sum()),
            "followed_window": int(s["WINDOW"].sum()), "followed_window_pct": pct(int(s["WINDOW"].sum()), n),
            "ltfu": int(s["LTFU"].sum())}


def follow_up_analysis(sub: Submission) -> FollowUpResult:
    """Per arm: follow-up min/median/max, meeting the requirement, deaths, withdrawals, DLT-window, LTFU."""
    arms = arm_table(sub)
    t = subject_follow_up(sub)
    rows = [_summary(a.ARM, bool(a.CONTROL), t[t["ARM"] == a.ARM]) for a in arms.itertuples(index=False)]
    cols = ["arm", "control", "dosed", "known", "min_days", "q1_days", "median_days", "q3_days", "max_days",
            "meeting_requirement",
            "meeting_pct", "meeting_or_died", "deaths", "deaths_before_requirement", "withdrawals",
            "followed_window", "followed_window_pct", "ltfu"]
    code = None
    if not sub.study.dosing_known:   # dosing unknown: counts of dosed subjects are unknown, not 0
        code = "no_ex"
        for r in rows:
            for k in ("dosed", "meeting_requirement", "meeting_or_died", "deaths", "deaths_before_requirement",
                      "withdrawals", "followed_window", "ltfu", "known"):
                r[k] = None
    elif len(t) == 0:
        code = "no_dosed"
    elif t["DAYS"].isna().all():
        code = "no_first_dose"
    total = _summary("ALL", None, t)
    if code == "no_ex":
        total = {k: (None if isinstance(v, (int, float)) and k != "control" else v) for k, v in total.items()}
    p = sub.study.parameters
    src_en, src_zh = p.followup_source()
    o = p.override("study.followup.required_days")
    res = FollowUpResult(p.required_followup_days, p.dlt_window_days, pd.DataFrame(rows, columns=cols),
                         total, t, code, required_declared=p.followup_declared, required_source=src_en,
                         required_source_zh=src_zh, overrides=[o.to_dict()] if o else [])
    return res
