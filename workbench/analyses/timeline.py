"""Subject timelines for the swimmer plot: days of dosing, AEs, last contact and death, from first dose."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import col
from ..submission import Submission
from ._common import arm_table, seq_values


@dataclass
class TimelineResult:
    """Per dosed subject (``subjects``), per administration (``doses``) and per TEAE (``events``); days from first dose."""

    required_days: int
    subjects: pd.DataFrame    # USUBJID, ARM, DOSE, DOSE_UNIT, CONTROL, LAST_DAY, DIED, DEATH_DAY
    doses: pd.DataFrame       # USUBJID, DAY, DOSE
    events: pd.DataFrame      # USUBJID, AESEQ, AEDECOD, DAY, GRADE, SERIOUS, RELATED, FATAL, DLT

    def to_dict(self) -> dict:
        """Only a summary: the per-subject data is for the figure, not for review.json."""
        return {"subjects": int(len(self.subjects)), "events": int(len(self.events)),
                "required_days": self.required_days}


def timeline_analysis(sub: Submission) -> TimelineResult:
    arms = arm_table(sub)
    fd = sub.study.first_dose
    subj = sub.study.subjects
    dosed = sorted(sub.study.dosed)
    t = pd.DataFrame({"USUBJID": pd.Series(dosed, dtype=object)})
    t["ARM"] = t["USUBJID"].map(subj["ARM"]) if len(subj) else None
    a = arms.set_index("ARM") if len(arms) else pd.DataFrame(columns=["DOSE", "DOSE_UNIT", "CONTROL"])
    t["DOSE"] = t["ARM"].map(a["DOSE"]).astype(float) if len(a) else np.nan
    t["DOSE_UNIT"] = t["ARM"].map(a["DOSE_UNIT"]) if len(a) else None
    t["CONTROL"] = t["ARM"].map(a["CONTROL"]).fillna(False).astype(bool) if len(a) else False
    t["LAST_DAY"] = t["USUBJID"].map(sub.study.follow_up_days).astype(float)
    d = sub.study.deaths.copy()
    if len(d):
        from ..dates import parse_dtc

        d["DAY_ABS"] = parse_dtc(d["DATE"]).lo
        death_day = d.groupby("USUBJID")["DAY_ABS"].min()
        first = fd["FIRST_LO"] if len(fd) else pd.Series(dtype=float)
        t["DIED"] = t["USUBJID"].isin(set(d["USUBJID"]))
        t["DEATH_DAY"] = t["USUBJID"].map(death_day).astype(float) - t["USUBJID"].map(first).astype(float)
    else:
        t["DIED"] = False
        t["DEATH_DAY"] = np.nan
    order = {arm: i for i, arm in enumerate(arms["ARM"])} if len(arms) else {}
    t["_o"] = t["ARM"].map(order).fillna(len(order))
    t = t.sort_values(["_o", "USUBJID"]).drop(columns="_o").reset_index(drop=True)

    ex = sub.study.exposure
    if len(ex) and len(fd):
        e = ex[ex["USUBJID"].isin(dosed)]
        doses = pd.DataFrame({"USUBJID": e["USUBJID"].to_numpy(),
                              "DAY": (e["START_LO"] - e["USUBJID"].map(fd["FIRST_LO"]).astype(float)).to_numpy(),
                              "DOSE": e["DOSE_N"].to_numpy(dtype=float)})
    else:
        doses = pd.DataFrame(columns=["USUBJID", "DAY", "DOSE"])

    ae = sub.study.adverse_events
    cols = ["USUBJID", "AESEQ", "AEDECOD", "DAY", "GRADE", "SERIOUS", "RELATED", "FATAL", "DLT"]
    if len(ae):
        # only the columns used, then the TEAE rows (not a copy of the whole AE table)
        te = ae[[c for c in ("USUBJID", "AESEQ", "AEDECOD", "AETERM", "ONSET_DAY", "GRADE", "SERIOUS", "RELATED",
                             "FATAL", "DLT") if c in ae.columns]][ae["TEAE"].astype(bool).to_numpy()]
        events = pd.DataFrame({"USUBJID": pd.Series(te["USUBJID"].to_numpy(), dtype=object),
                               "AESEQ": seq_values(col(te, "AESEQ")).to_numpy(dtype=object),
                               "AEDECOD": pd.Series(col(te, "AEDECOD").fillna(col(te, "AETERM"))
                                                    .to_numpy(), dtype=object),
                               "DAY": te["ONSET_DAY"].clip(lower=0).to_numpy(dtype=float),
                               "GRADE": te["GRADE"].to_numpy(dtype=float),
                               "SERIOUS": te["SERIOUS"].to_numpy(dtype=bool),
                               "RELATED": te["RELATED"].to_numpy(dtype=bool),
                               "FATAL": te["FATAL"].to_numpy(dtype=bool), "DLT": te["DLT"].to_numpy(dtype=bool)})
    else:
        events = pd.DataFrame(columns=cols)
    return TimelineResult(sub.study.parameters.required_followup_days, t, doses, events[cols])
