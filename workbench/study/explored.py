"""The doses and frequencies the data explored: the range a next stage may choose from (guideline G-2.2.2c: a
confirmatory dose must not exceed the explored range; 四（二）2: a specific dose and frequency within the range
explored)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..memo import memo
from ..submission import Submission


@dataclass(frozen=True)
class Explored:
    """Doses of the active arms with a dosed subject, by normalised unit (cells, cells/kg), and the number of
    administrations per subject and the days between them."""

    doses: dict[str, tuple[float, float]] = field(default_factory=dict)   # unit -> (lowest, highest)
    levels: tuple[tuple[str, float, str], ...] = ()                      # (arm, dose, unit)
    administrations: tuple[int, int] | None = None                       # (fewest, most) per dosed subject
    intervals: tuple[float, float] | None = None                         # (shortest, longest) days between doses

    def dose_range(self, unit: str | None) -> tuple[float, float] | None:
        return self.doses.get(unit) if unit else None


@memo
def explored(sub: Submission) -> Explored:
    """What the submission's data explored (empty when dosing is unknown)."""
    model = sub.study
    if not model.dosing_known:
        return Explored()
    subj = model.subjects
    dosed_arms = set(subj.loc[subj["DOSED"].to_numpy(dtype=bool), "ARM"].dropna())
    arms = model.arms
    act = arms[~arms["CONTROL"].to_numpy(dtype=bool) & arms["ARM"].isin(dosed_arms).to_numpy()
               & arms["DOSE"].notna().to_numpy()]
    doses: dict[str, tuple[float, float]] = {}
    for unit, g in act.groupby(act["DOSE_UNIT"].fillna(""), sort=True):
        doses[unit or ""] = (float(g["DOSE"].min()), float(g["DOSE"].max()))
    levels = tuple((a.ARM, float(a.DOSE), a.DOSE_UNIT or "") for a in act.itertuples())
    ex = model.exposure
    admins = intervals = None
    if len(ex):
        given = ex[(ex["DOSE_RAW"] > 0).to_numpy() & ~ex["CONTROL"].to_numpy(dtype=bool)
                   & ex["START_LO"].notna().to_numpy() & ex["USUBJID"].isin(model.dosed).to_numpy()]
        if len(given):
            days = given.groupby("USUBJID")["START_LO"].agg(lambda s: np.unique(s.to_numpy(dtype=float)))
            counts = days.map(len)
            admins = (int(counts.min()), int(counts.max()))
            gaps = np.concatenate([np.diff(d) for d in days if len(d) > 1]) if (counts > 1).any() else np.array([])
            intervals = (float(gaps.min()), float(gaps.max())) if len(gaps) else None
    return Explored(doses, levels, admins, intervals)
