"""Who a table counts: USUBJID -> arm (code as in the data, None for no arm) for each population, read from the
study model (analyses.md "Common definitions")."""
from __future__ import annotations

import pandas as pd

from ..memo import memo
from ..submission import Submission
from .labels import missing_domain
from .table import Table


@memo
def safety(sub: Submission) -> pd.Series:
    """Dosed subjects -> actual arm (the safety population)."""
    from ..analyses.safety import _dosed_by_arm

    return _dosed_by_arm(sub)


@memo
def screened(sub: Submission) -> pd.Series:
    """Every DM subject -> the arm allocated: the actual arm, else the planned arm (a subject randomised and never
    treated counts in the arm it was allocated to); None for screen failures and unassigned subjects."""
    subj = sub.study.subjects
    if subj.empty:
        return pd.Series(dtype=object)
    alloc = subj["ARM"].where(subj["ARM"].notna(), subj["PLANNED_ARM"])
    alloc = alloc.where(~subj["SCREEN_FAIL"].astype(bool) & ~subj["NOT_ASSIGNED"].astype(bool), None)
    return pd.Series(alloc.to_numpy(dtype=object), index=pd.Index(subj.index, dtype=object), dtype=object)


def enrolled(sub: Submission) -> pd.Series:
    subj = sub.study.subjects
    s = screened(sub)
    return s[subj["ENROLLED"].reindex(s.index).fillna(False).astype(bool).to_numpy()] if len(s) else s


def safety_or_note(sub: Submission, t: Table) -> pd.Series | None:
    """The safety population, or None with the table's note saying why it is unknown (no DM, no EX)."""
    if sub.domain("DM") is None:
        missing_domain(t, "DM")
        return None
    if not sub.study.dosing_known:
        missing_domain(t, "EX")
        return None
    return safety(sub)
