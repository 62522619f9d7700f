"""Kaplan–Meier estimate of the time from first dose to the first serious TEAE, per arm (analyses.md "Safety")."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..submission import Submission
from ._common import Z95, fnum


def kaplan_meier(time, event) -> pd.DataFrame:
    """Product-limit estimate (Kaplan & Meier 1958) with Greenwood variance and log(−log) 95% limits.

    One row per distinct time: TIME, AT_RISK (n_j, subjects with time ≥ t_j), EVENTS (d_j), CENSORED,
    SURVIVAL = Π (1 − d_j/n_j), SE (Greenwood: S·sqrt(Σ d_j/(n_j(n_j − d_j)))), CI_LOW, CI_HIGH
    (S^exp(±z·sqrt(Σ d/(n(n−d)))/|log S|), Kalbfleisch & Prentice 2002 §1.4). A first row at time 0
    carries S = 1 when the first time is after 0. Events and censorings at the same time: events first
    (the censored are still at risk at that time).
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    ok = ~np.isnan(t)
    t, e = t[ok], e[ok]
    cols = ["TIME", "AT_RISK", "EVENTS", "CENSORED", "SURVIVAL", "SE", "CI_LOW", "CI_HIGH"]
    if len(t) == 0:
        return pd.DataFrame(columns=cols)
    times, inv = np.unique(t, return_inverse=True)
    d = np.bincount(inv, weights=e.astype(float), minlength=len(times))
    c = np.bincount(inv, weights=(~e).astype(float), minlength=len(times))
    removed = d + c
    at_risk = len(t) - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.cumprod(1.0 - d / at_risk)
        term = np.where(d > 0, d / (at_risk * (at_risk - d)), 0.0)
        gw = np.cumsum(term)
        se = s * np.sqrt(gw)
        log_s = np.log(s)
        theta = Z95 * np.sqrt(gw) / np.abs(log_s)
        lo = s ** np.exp(theta)
        hi = s ** np.exp(-theta)
    lo = np.where(gw == 0, 1.0, np.where(s <= 0, 0.0, lo))
    hi = np.where(gw == 0, 1.0, np.where(s <= 0, 0.0, hi))
    se = np.where(np.isfinite(se), se, np.nan)
    out = pd.DataFrame({"TIME": times, "AT_RISK": at_risk.astype(int), "EVENTS": d.astype(int),
                        "CENSORED": c.astype(int), "SURVIVAL": s, "SE": se, "CI_LOW": lo, "CI_HIGH": hi})
    if times[0] > 0:
        start = pd.DataFrame({"TIME": [0.0], "AT_RISK": [len(t)], "EVENTS": [0], "CENSORED": [0],
                              "SURVIVAL": [1.0], "SE": [0.0], "CI_LOW": [1.0], "CI_HIGH": [1.0]})
        out = pd.concat([start, out], ignore_index=True)
    return out[cols]


def km_median(curve: pd.DataFrame) -> float | None:
    """Smallest time with S(t) ≤ 0.5 (None when not reached)."""
    hit = curve[curve["SURVIVAL"] <= 0.5]
    return None if hit.empty else float(hit["TIME"].iloc[0])


@dataclass
class KMCurve:
    arm: str
    control: bool
    n: int
    events: int
    excluded: int                 # dosed subjects without an event and without a known last contact
    curve: pd.DataFrame

    def to_dict(self) -> dict:
        c = self.curve
        return {"arm": self.arm, "control": self.control, "n": self.n, "events": self.events,
                "excluded": self.excluded, "median_days": km_median(c) if len(c) else None,
                "time": [float(v) for v in c["TIME"]], "at_risk": [int(v) for v in c["AT_RISK"]],
                "n_events": [int(v) for v in c["EVENTS"]], "n_censored": [int(v) for v in c["CENSORED"]],
                "survival": [fnum(v) for v in c["SURVIVAL"]], "ci_low": [fnum(v) for v in c["CI_LOW"]],
                "ci_high": [fnum(v) for v in c["CI_HIGH"]]}


def km_first_serious(sub: Submission, arms: pd.DataFrame, teae: pd.DataFrame, dosed_arm: pd.Series) -> list[KMCurve]:
    """Time from first dose to first serious TEAE per arm, censored at last contact."""
    fu = sub.study.follow_up_days
    ser = teae[teae["SERIOUS"].astype(bool)] if len(teae) else teae
    first_event = ser.groupby("USUBJID")["ONSET_DAY"].min().clip(lower=0) if len(ser) else pd.Series(dtype=float)
    t = pd.DataFrame({"USUBJID": dosed_arm.index, "ARM": dosed_arm.to_numpy()})
    t["EVENT"] = t["USUBJID"].isin(first_event.index)
    t["TIME"] = np.where(t["EVENT"], t["USUBJID"].map(first_event), t["USUBJID"].map(fu).clip(lower=0))
    out = []
    for a in arms.itertuples(index=False):
        s = t[t["ARM"] == a.ARM]
        if s.empty:
            continue
        known = s[s["TIME"].notna()]
        out.append(KMCurve(a.ARM, bool(a.CONTROL), len(known), int(known["EVENT"].sum()), len(s) - len(known),
                           kaplan_meier(known["TIME"], known["EVENT"])))
    return out
