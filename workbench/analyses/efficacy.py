"""Primary endpoint: change from baseline per arm, comparisons with control, responders, dose trend.

analyses.md "Efficacy"; guideline G-4.2.3 (preliminary efficacy) and G-4.2.4.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..dates import DateIntervals, on_or_after
from ..columns import coded, col, dates, norm_col, norm_in
from ..memo import memo
from ..submission import Submission
from ..units import to_number
from . import _stats
from ._common import POOLED, arm_table, clopper_pearson, fnum, newcombe_diff, reason, t_summary
from .trend import cochran_armitage, linear_slope


# --------------------------------------------------------------------------- statistics

def welch(active, control) -> dict | None:
    """Difference in means (active − control) with Welch 95% CI and two-sided Welch t-test.

    se = sqrt(s1²/n1 + s2²/n2); df = se⁴ / ((s1²/n1)²/(n1−1) + (s2²/n2)²/(n2−1)) (Welch–Satterthwaite);
    CI = d ± t(0.975, df)·se; p from ``scipy.stats.ttest_ind(equal_var=False)``. None when a group has < 2 values.
    """
    a = np.asarray(active, dtype=float)
    c = np.asarray(control, dtype=float)
    a, c = a[~np.isnan(a)], c[~np.isnan(c)]
    n1, n2 = len(a), len(c)
    if n1 < 2 or n2 < 2:
        return None
    v1, v2 = a.var(ddof=1) / n1, c.var(ddof=1) / n2
    est = float(a.mean() - c.mean())
    se = math.sqrt(v1 + v2)
    if se == 0:
        return {"kind": "welch", "estimate": est, "se": 0.0, "df": None, "ci_low": est, "ci_high": est,
                "p_value": None, "n": n1, "n_control": n2}
    df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    half = float(_stats.t_ppf(0.975, df)) * se
    p = _stats.ttest_ind_welch_pvalue(a, c)
    return {"kind": "welch", "estimate": est, "se": se, "df": float(df), "ci_low": est - half, "ci_high": est + half,
            "p_value": p, "n": n1, "n_control": n2}


def one_sample(values) -> dict | None:
    """Mean change with 95% t-interval and two-sided one-sample t-test against 0 (``scipy.stats.ttest_1samp``)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) < 2:
        return None
    s = t_summary(v)
    p = _stats.ttest_1samp_pvalue(v, 0.0) if s.sd else None
    return {"kind": "one_sample", "estimate": s.mean, "se": (s.sd / math.sqrt(s.n)) if s.sd is not None else None,
            "df": float(s.n - 1), "ci_low": s.ci_low, "ci_high": s.ci_high, "p_value": fnum(p), "n": s.n,
            "n_control": None}


def favourable(ci_low, ci_high, better: str) -> bool | None:
    """Does the 95% CI exclude 0 on the favourable side (``better`` lower: CI < 0; higher: CI > 0)?"""
    if ci_low is None or ci_high is None:
        return None
    return bool(ci_high < 0) if better == "lower" else bool(ci_low > 0)


# --------------------------------------------------------------------------- records

RECORD_COLUMNS = ["USUBJID", "VALUE", "BLFL", "VISIT", "VISITNUM", "LO", "HI", "ORDER", "PRE", "POST"]


@memo
def endpoint_records(sub: Submission) -> tuple[pd.DataFrame, pd.Series, dict | None]:
    """The primary endpoint's records of dosed subjects with a numeric value (VALUE, BLFL, VISIT, VISITNUM, date
    bounds LO/HI, PRE / POST: certainly on or before / on or after the first dose), sorted by subject and date;
    the baseline per subject (``--BLFL='Y'``, else the last record on or before the first dose); and a reason
    when there are none. Shared by the efficacy and durability analyses."""
    pe = sub.m.study.primary_endpoint
    empty = pd.DataFrame(columns=RECORD_COLUMNS)
    none = pd.Series(dtype=float)
    if pe is None:
        return empty, none, reason("no_endpoint")
    dom = pe.domain
    df = sub.domain(dom)
    if df is None or "USUBJID" not in df.columns:
        return empty, none, reason("no_endpoint_domain", domain=dom)
    tvar = f"{dom}TESTCD"
    mask = norm_in(sub, dom, tvar, {pe.testcd})
    if not mask.any():
        return empty, none, reason("no_endpoint_records", domain=dom, testcd_var=tvar, testcd=pe.testcd)
    rows = np.flatnonzero(mask)
    value = to_number(col(df, f"{dom}STRESN").iloc[rows])
    value = value.where(value.notna(), to_number(col(df, f"{dom}ORRES").iloc[rows])).to_numpy(dtype=float)
    d = dates(sub, dom, f"{dom}DTC")
    # subjects by their codes: dosed and first-dose lookups once per distinct subject
    subj_codes = coded(sub, dom, "USUBJID")
    ucode = subj_codes.codes[rows]
    uniques = pd.Index(subj_codes.uniques, dtype=object)
    dosed = sub.study.dosed
    keep = np.append(np.fromiter((u in dosed for u in uniques), dtype=bool, count=len(uniques)), False)[ucode]
    keep &= ~np.isnan(value)
    kept = rows[keep]
    r = pd.DataFrame({"USUBJID": pd.Series(np.append(subj_codes.uniques, None)[ucode[keep]], dtype=object),
                      "VALUE": value[keep],
                      "BLFL": pd.Series(norm_col(sub, dom, f"{dom}BLFL").to_numpy()[kept], dtype=object),
                      "VISIT": pd.Series(norm_col(sub, dom, "VISIT").to_numpy()[kept], dtype=object),
                      "VISITNUM": to_number(col(df, "VISITNUM").iloc[kept]).to_numpy(dtype=float),
                      "LO": d.lo[kept], "HI": d.hi[kept], "ORDER": np.flatnonzero(keep)})
    fd = sub.study.first_dose
    if len(fd):
        fd_lo = pd.Series(fd["FIRST_LO"].to_numpy(dtype=float), index=fd.index.astype(object)).reindex(uniques)
        fd_hi = pd.Series(fd["FIRST_HI"].to_numpy(dtype=float), index=fd.index.astype(object)).reindex(uniques)
        first_lo = np.append(fd_lo.to_numpy(), np.nan)[ucode[keep]]
        first_hi = np.append(fd_hi.to_numpy(), np.nan)[ucode[keep]]
    else:
        first_lo = first_hi = np.full(len(r), np.nan)
    first = DateIntervals(first_lo, first_hi, np.full(len(r), "full", dtype=object))
    rec_d = DateIntervals(r["LO"].to_numpy(dtype=float), r["HI"].to_numpy(dtype=float),
                          np.full(len(r), "full", dtype=object))
    r["PRE"] = on_or_after(first, rec_d) == 1.0        # certainly on or before the first dose
    r["POST"] = on_or_after(rec_d, first) == 1.0       # certainly on or after the first dose
    r = r.sort_values(["USUBJID", "LO", "ORDER"], na_position="first")

    flagged = r[r["BLFL"] == "Y"].groupby("USUBJID")["VALUE"].last()
    pre = r[r["PRE"]].groupby("USUBJID")["VALUE"].last()
    return r[RECORD_COLUMNS], flagged.combine_first(pre), None


def endpoint_values(sub: Submission) -> tuple[pd.DataFrame, dict | None]:
    """Per dosed subject: BASELINE, TARGET, CHANGE of the primary endpoint (and a reason when not computable)."""
    pe = sub.m.study.primary_endpoint
    cols = ["USUBJID", "ARM", "BASELINE", "TARGET", "CHANGE"]
    r, baseline, why = endpoint_records(sub)
    if why is not None:
        return pd.DataFrame(columns=cols), why
    notes = None
    if pe.visit:
        tgt = r[r["VISIT"] == pe.visit.strip().upper()]
    else:
        tgt = r[r["POST"] & (r["BLFL"] != "Y")]
        notes = reason("no_visit")
    target = tgt.groupby("USUBJID")["VALUE"].last()
    subj = sub.study.subjects
    out = pd.DataFrame({"BASELINE": baseline, "TARGET": target})
    out.index.name = "USUBJID"
    out = out.reset_index()
    out["ARM"] = out["USUBJID"].map(subj["ARM"]) if len(subj) else None
    out["CHANGE"] = out["TARGET"] - out["BASELINE"]
    return out[cols], notes


# --------------------------------------------------------------------------- result

@dataclass
class EfficacyResult:
    endpoint: str | None
    domain: str | None
    visit: str | None
    better: str | None
    endpoint_type: str | None
    subjects: pd.DataFrame                    # USUBJID, ARM, DOSE, BASELINE, TARGET, CHANGE, RESPONDER
    arms: pd.DataFrame                        # ARM, DOSE, DOSE_UNIT, CONTROL, N, MEAN, SD, CI_LOW, CI_HIGH, ...
    comparison: dict | None = None
    comparisons: list[dict] = field(default_factory=list)
    responders: dict | None = None
    trend: dict | None = None
    signal: bool | None = None
    reason_info: dict | None = None
    notes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        arms = []
        for r in self.arms.to_dict("records"):
            arms.append({"arm": r["ARM"], "dose": fnum(r["DOSE"]), "dose_unit": r["DOSE_UNIT"],
                         "control": bool(r["CONTROL"]), "n": int(r["N"]), "mean": fnum(r["MEAN"]),
                         "sd": fnum(r["SD"]), "ci_low": fnum(r["CI_LOW"]), "ci_high": fnum(r["CI_HIGH"]),
                         "baseline_mean": fnum(r["BASELINE_MEAN"]), "target_mean": fnum(r["TARGET_MEAN"])})
        return {"endpoint": self.endpoint, "domain": self.domain, "visit": self.visit, "better": self.better,
                "type": self.endpoint_type, "signal": self.signal, "comparison": self.comparison, "arms": arms,
                "comparisons": self.comparisons, "responders": self.responders, "trend": self.trend,
                **(self.reason_info or reason(None)), "notes": self.notes}


ARM_COLS = ["ARM", "DOSE", "DOSE_UNIT", "CONTROL", "N", "MEAN", "SD", "CI_LOW", "CI_HIGH", "BASELINE_MEAN",
            "TARGET_MEAN"]


def efficacy_analysis(sub: Submission) -> EfficacyResult:
    """Change from baseline per arm; Welch comparisons (or one-sample); responders; dose-response trend."""
    pe = sub.m.study.primary_endpoint
    values, why = endpoint_values(sub)
    res = EfficacyResult(pe.testcd if pe else None, pe.domain if pe else None, pe.visit if pe else None,
                         pe.better if pe else None, pe.type if pe else None,
                         values.assign(DOSE=np.nan, RESPONDER=None), pd.DataFrame(columns=ARM_COLS))
    if why is not None and why["reason_code"] != "no_visit":
        res.reason_info = why
        return res
    if why is not None:
        res.notes.append(why)
    arms = arm_table(sub)
    data = values[values["CHANGE"].notna()].copy()
    dose_map = dict(zip(arms["ARM"], np.where(arms["CONTROL"], 0.0, arms["DOSE"]))) if len(arms) else {}
    data["DOSE"] = data["ARM"].map(dose_map).astype(float)
    rows = []
    for a in arms.itertuples(index=False):
        v = data[data["ARM"] == a.ARM]
        s = t_summary(v["CHANGE"])
        rows.append({"ARM": a.ARM, "DOSE": a.DOSE, "DOSE_UNIT": a.DOSE_UNIT, "CONTROL": a.CONTROL, "N": s.n,
                     "MEAN": s.mean, "SD": s.sd, "CI_LOW": s.ci_low, "CI_HIGH": s.ci_high,
                     "BASELINE_MEAN": v["BASELINE"].mean() if len(v) else None,
                     "TARGET_MEAN": v["TARGET"].mean() if len(v) else None})
    res.arms = pd.DataFrame(rows, columns=ARM_COLS)
    if data.empty:
        res.subjects = data.assign(RESPONDER=None)
        res.reason_info = reason("no_changes")
        return res

    control = set(arms.loc[arms["CONTROL"], "ARM"]) if len(arms) else set()
    active = [a for a in arms.loc[~arms["CONTROL"], "ARM"]] if len(arms) else []
    ctl_vals = data.loc[data["ARM"].isin(control), "CHANGE"]
    act_data = data[data["ARM"].isin(active)]
    act_with_data = [a for a in active if (act_data["ARM"] == a).any()]
    better = pe.better
    if control and len(ctl_vals):
        for a in act_with_data:
            c = welch(act_data.loc[act_data["ARM"] == a, "CHANGE"], ctl_vals)
            if c is not None:
                res.comparisons.append({"label": a, "arms": [a], "control_arms": sorted(control), **c,
                                        "favourable": favourable(c["ci_low"], c["ci_high"], better)})
        pooled = welch(act_data["CHANGE"], ctl_vals)
        if pooled is not None:
            entry = {"label": POOLED if len(act_with_data) > 1 else act_with_data[0], "arms": act_with_data,
                     "control_arms": sorted(control), **pooled,
                     "favourable": favourable(pooled["ci_low"], pooled["ci_high"], better)}
            if len(act_with_data) > 1:
                res.comparisons.append(entry)
            res.comparison = entry
    else:
        pool = act_data if len(act_data) else data
        c = one_sample(pool["CHANGE"])
        if c is not None:
            arms_in = sorted(pool["ARM"].dropna().unique().tolist(), key=lambda x: active.index(x)
                             if x in active else len(active))
            res.comparison = {"label": POOLED if len(arms_in) > 1 else (arms_in[0] if arms_in else None),
                              "arms": arms_in, "control_arms": [], **c,
                              "favourable": favourable(c["ci_low"], c["ci_high"], better)}
            res.comparisons.append(res.comparison)
            for a in act_with_data if len(act_with_data) > 1 else []:
                ca = one_sample(act_data.loc[act_data["ARM"] == a, "CHANGE"])
                if ca is not None:
                    res.comparisons.insert(len(res.comparisons) - 1,
                                           {"label": a, "arms": [a], "control_arms": [], **ca,
                                            "favourable": favourable(ca["ci_low"], ca["ci_high"], better)})
    if res.comparison is None:
        res.reason_info = reason("too_few_for_comparison")
    else:
        res.signal = res.comparison["favourable"]

    data["RESPONDER"] = None
    if pe.responder_change is not None:
        thr = float(pe.responder_change)
        data["RESPONDER"] = (data["CHANGE"] <= thr) if better == "lower" else (data["CHANGE"] >= thr)
        res.responders = responders(data, arms, control, act_with_data, thr, better)
    res.subjects = data
    res.trend = {"responders": _responder_trend(data, arms) if pe.responder_change is not None else None,
                 "change": linear_slope(data["DOSE"], data["CHANGE"]),
                 "scores": "dose (control = 0)"}
    return res


def responders(data: pd.DataFrame, arms: pd.DataFrame, control: set, active: list, thr: float, better: str) -> dict:
    """Responder rate per arm (Clopper–Pearson) and risk differences vs control (Newcombe hybrid score)."""
    per_arm = []
    for a in arms.itertuples(index=False):
        v = data.loc[data["ARM"] == a.ARM, "RESPONDER"].astype(bool)
        n, x = len(v), int(v.sum())
        lo, hi = clopper_pearson(x, n)
        per_arm.append({"arm": a.ARM, "control": bool(a.CONTROL), "dose": fnum(a.DOSE), "n": n, "responders": x,
                        "rate": (x / n) if n else None, "ci_low": fnum(lo), "ci_high": fnum(hi)})
    comps = []
    ctl = data[data["ARM"].isin(control)]["RESPONDER"].astype(bool)
    if control and len(ctl):
        groups = [(a, [a]) for a in active] + ([(POOLED, list(active))] if len(active) > 1 else [])
        for label, members in groups:
            v = data[data["ARM"].isin(members)]["RESPONDER"].astype(bool)
            if len(v) == 0:
                continue
            d, lo, hi = newcombe_diff(int(v.sum()), len(v), int(ctl.sum()), len(ctl))
            comps.append({"label": label, "arms": members, "control_arms": sorted(control),
                          "responders": int(v.sum()), "n": len(v), "responders_control": int(ctl.sum()),
                          "n_control": len(ctl), "risk_difference": fnum(d), "ci_low": fnum(lo), "ci_high": fnum(hi),
                          "method": "newcombe_hybrid_score"})
    act = data[data["ARM"].isin(active)]["RESPONDER"].astype(bool) if active else data["RESPONDER"].astype(bool)
    lo, hi = clopper_pearson(int(act.sum()), len(act))
    return {"threshold": thr, "rule": f"change {'<=' if better == 'lower' else '>='} {thr:g}", "arms": per_arm,
            "pooled_active": {"n": len(act), "responders": int(act.sum()),
                              "rate": (int(act.sum()) / len(act)) if len(act) else None,
                              "ci_low": fnum(lo), "ci_high": fnum(hi)},
            "comparisons": comps, "primary": comps[-1] if comps else None}


def _responder_trend(data: pd.DataFrame, arms: pd.DataFrame) -> dict | None:
    d = data[data["DOSE"].notna()]
    if d.empty:
        return None
    g = d.groupby("DOSE")["RESPONDER"].agg(["sum", "count"]).reset_index()
    return cochran_armitage(g["sum"].astype(int), g["count"].astype(int), g["DOSE"])
