"""Durability of the efficacy response over visits (guideline G-2.3.2b: duration of effect, long enough observation
for long-term benefit; G-3.1a: long-term efficacy in follow-up).

The primary endpoint's change from baseline at every post-baseline visit, per arm (n, mean, 95% t-interval); the
responder rate per visit when ``responder_change`` is declared; and, for the subjects responding at the target
visit, how many still respond at their last later assessment. Baseline and records are those of the efficacy
analysis (:func:`workbench.analyses.efficacy.endpoint_records`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..submission import Submission
from ._common import arm_table, fnum, frame_records, reason, t_summary
from .efficacy import endpoint_records

VISIT_COLUMNS = ["ARM", "VISIT", "ORDER", "DAY", "N", "MEAN", "SD", "CI_LOW", "CI_HIGH", "RESPONDERS",
                 "RESPONDER_RATE", "TARGET"]


@dataclass
class DurabilityResult:
    endpoint: str | None
    target_visit: str | None
    better: str | None
    visits: pd.DataFrame              # one row per arm x post-baseline visit (VISIT_COLUMNS)
    sustained: list[dict] = field(default_factory=list)   # per arm: responders at target, still responding later
    last_visit: str | None = None     # the latest visit with an assessment
    reason_info: dict | None = None   # why nothing could be computed (``_common.reason``)
    notes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        visits = frame_records(self.visits, {"ARM": "arm", "VISIT": "visit", "ORDER": "order", "DAY": "median_day",
                                             "N": "n", "MEAN": "mean_change", "SD": "sd", "CI_LOW": "ci_low",
                                             "CI_HIGH": "ci_high", "RESPONDERS": "responders",
                                             "RESPONDER_RATE": "responder_rate", "TARGET": "target"})
        return {"endpoint": self.endpoint, "target_visit": self.target_visit, "better": self.better,
                "visits": visits, "sustained": self.sustained, "last_visit": self.last_visit,
                **(self.reason_info or reason(None)), "notes": self.notes}

    def reason_dict(self) -> dict | None:
        return self.reason_info


def durability_analysis(sub: Submission) -> DurabilityResult:
    """Change from baseline per arm and post-baseline visit; responders per visit; responses sustained."""
    pe = sub.m.study.primary_endpoint
    target = pe.visit.strip().upper() if pe is not None and pe.visit else None
    res = DurabilityResult(pe.testcd if pe else None, target, pe.better if pe else None,
                           pd.DataFrame(columns=VISIT_COLUMNS))
    r, baseline, why = endpoint_records(sub)
    if why is not None:
        res.reason_info = why
        return res
    fd = sub.study.first_dose
    post = r[r["POST"].to_numpy(dtype=bool) & (r["BLFL"] != "Y").to_numpy() & r["VISIT"].notna().to_numpy()].copy()
    post["CHANGE"] = post["VALUE"] - post["USUBJID"].map(baseline)
    post = post[post["CHANGE"].notna()]
    if post.empty:
        res.reason_info = reason("no_changes")
        return res
    post["DAY"] = post["LO"] - post["USUBJID"].map(fd["FIRST_LO"]).astype(float)
    post["ARM"] = post["USUBJID"].map(sub.study.subjects["ARM"])
    per = post.groupby(["USUBJID", "VISIT"], sort=False).last().reset_index()   # one value per subject and visit
    order = per.groupby("VISIT").agg(VN=("VISITNUM", "median"), DAY=("DAY", "median"))
    order["KEY"] = np.where(order["VN"].notna(), order["VN"], order["DAY"])
    order = order.sort_values(["KEY", "DAY"]).assign(ORDER=lambda o: np.arange(1, len(o) + 1))
    thr = pe.responder_change
    if thr is not None:
        per["RESP"] = per["CHANGE"] <= thr if pe.better == "lower" else per["CHANGE"] >= thr
    rows = []
    for a in arm_table(sub).itertuples(index=False):
        pa = per[per["ARM"] == a.ARM]
        for visit, o in order.iterrows():
            v = pa[pa["VISIT"] == visit]
            if v.empty:
                continue
            s = t_summary(v["CHANGE"])
            resp = int(v["RESP"].sum()) if thr is not None else None
            rows.append({"ARM": a.ARM, "VISIT": visit, "ORDER": int(o["ORDER"]), "DAY": fnum(o["DAY"]), "N": s.n,
                         "MEAN": s.mean, "SD": s.sd, "CI_LOW": s.ci_low, "CI_HIGH": s.ci_high, "RESPONDERS": resp,
                         "RESPONDER_RATE": (resp / s.n) if thr is not None and s.n else None,
                         "TARGET": visit == target})
    res.visits = pd.DataFrame(rows, columns=VISIT_COLUMNS)
    res.last_visit = str(order.index[-1])
    if target is not None and target in order.index:
        later = set(order.index[order["ORDER"] > order.at[target, "ORDER"]])
        if not later:
            res.notes.append(reason("no_post_target", visit=target))
        elif thr is not None:
            res.sustained = _sustained(per, order, target, later)
    return res


def _sustained(per: pd.DataFrame, order: pd.DataFrame, target: str, later: set) -> list[dict]:
    """Per arm: subjects responding at the target visit, of them those assessed later, and those still responding
    at their last later assessment."""
    out = []
    rank = order["ORDER"].to_dict()
    at_target = per[(per["VISIT"] == target) & per["RESP"].astype(bool)]
    after = per[per["VISIT"].isin(later)].assign(R=lambda d: d["VISIT"].map(rank)).sort_values("R")
    last = after.drop_duplicates("USUBJID", keep="last").set_index("USUBJID")
    for arm, g in at_target.groupby("ARM", sort=False):
        seen = [u for u in g["USUBJID"] if u in last.index]
        still = int(last.loc[seen, "RESP"].astype(bool).sum()) if seen else 0
        out.append({"arm": arm, "responders_at_target": int(len(g)), "assessed_later": len(seen),
                    "still_responding": still, "sustained_rate": (still / len(seen)) if seen else None})
    return out
