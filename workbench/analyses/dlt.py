"""DLT per dose level and MTD selection reproducing R BOIN's ``select.mtd`` (analyses.md "DLT and MTD").

References: Liu S, Yuan Y (2015) JRSS-C 64:507; Yuan Y, Hess KR, Hilsenbeck SG, Gilbert MR (2016)
Clin Cancer Res 22:4291; R package BOIN, ``select.mtd`` with its defaults (cutoff.eli = 0.95,
extrasafe = FALSE, boundMTD = FALSE). Guideline: G-2.2.2 (dose exploration), G-2.2.2c (doses above
the explored range).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..submission import Submission
from ..units import normalise_dose_unit
from . import _stats
from ._common import arm_table, clopper_pearson, fnum, frame_records, reason, seq_values
from .trend import cochran_armitage

BOIN_CUTOFF_ELI = 0.95   # BOIN default: eliminate a dose when P(p > target | data) > 0.95
BOIN_MIN_N_ELI = 3       # ... once it has at least 3 patients
BOIN_PRIOR = 0.05        # Beta(0.05, 0.05) prior of the isotonic estimate
DOSE_FINDING_DESIGN = "dose_escalation"   # the design for which an MTD is selected
BOIN_TIE = 1e-10         # k-th admissible dose gets + k·1e-10 (ties -> higher dose below target)


def pava(x, w=None) -> np.ndarray:
    """Weighted pool-adjacent-violators, exactly as the ``pava`` helper inside BOIN's ``select.mtd``.

    Repeatedly pools the first adjacent decreasing pair (with the level sets already pooled) into
    their weighted mean, so results are bit-for-bit those of the R code.
    """
    x = np.array(x, dtype=float)
    n = len(x)
    if n <= 1:
        return x
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    if np.isnan(x).any() or np.isnan(w).any():
        raise ValueError("missing values in x or weights are not allowed")
    lvl = np.arange(n)
    while True:
        viol = np.diff(x) < 0
        if not viol.any():
            break
        i = int(np.argmax(viol))
        sel = (lvl == lvl[i]) | (lvl == lvl[i + 1])
        x[sel] = np.sum(x[sel] * w[sel]) / np.sum(w[sel])
        lvl[sel] = lvl[i]
    return x


def _beta_moments(n: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BOIN's posterior mean and variance under Beta(0.05, 0.05): (y+.05)/(n+.1), (y+.05)(n−y+.05)/((n+.1)²(n+1.1))."""
    a = BOIN_PRIOR
    phat = (y + a) / (n + 2 * a)
    var = (y + a) * (n - y + a) / ((n + 2 * a) ** 2 * (n + 2 * a + 1))
    return phat, var


def isotonic_estimates(n, y) -> np.ndarray:
    """BOIN's isotonic DLT estimate per dose (``phat.all`` of select.mtd): PAVA over doses with n > 0,
    weights 1/var; NaN for untreated doses."""
    n = np.asarray(n, dtype=float)
    y = np.asarray(y, dtype=float)
    out = np.full(len(n), np.nan)
    treated = n > 0
    if treated.any():
        phat, var = _beta_moments(n[treated], y[treated])
        out[treated] = pava(phat, 1.0 / var)
    return out


def overdose_probability(n, y, target: float) -> np.ndarray:
    """P(p > target | Beta(y+1, n−y+1)) per dose (BOIN's elimination posterior; uniform prior)."""
    n = np.asarray(n, dtype=float)
    y = np.asarray(y, dtype=float)
    return _stats.beta_sf(target, y + 1, n - y + 1)


@dataclass(frozen=True)
class MTDSelection:
    """Outcome of :func:`select_mtd`. ``mtd`` is the 1-based dose level as BOIN reports it (None for BOIN's 99)."""

    mtd: int | None
    eliminated: tuple[bool, ...]
    isotonic: tuple[float | None, ...]       # over all treated doses (BOIN's p_est); None when n = 0
    all_too_toxic: bool                       # the lowest dose is eliminated
    reason_code: str | None = None            # why there is no MTD

    @property
    def index(self) -> int | None:
        """0-based index of the MTD (None when none is selected)."""
        return None if self.mtd is None else self.mtd - 1


def select_mtd(n, y, target: float, cutoff_eli: float = BOIN_CUTOFF_ELI) -> MTDSelection:
    """Select the MTD as R BOIN ``select.mtd(target, npts = n, ntox = y)`` does with its defaults.

    1. Going up, the first dose with n ≥ 3 and P(p > target | Beta(y+1, n−y+1)) > cutoff_eli is
       eliminated with every higher dose; the lowest dose eliminated (or no patient at the doses
       left) means no MTD.
    2. Over admissible doses with n > 0: p̂ = (y+.05)/(n+.1) made monotone by PAVA with weights 1/var.
    3. p̂_k + k·1e-10 (k = 1, 2, ...) breaks ties; the dose whose estimate is closest to the target
       is the MTD (first minimum, as R's stable ``sort(..., index.return = TRUE)``).
    """
    n = np.asarray(n, dtype=float)
    y = np.asarray(y, dtype=float)
    if n.shape != y.shape or n.ndim != 1 or len(n) == 0:
        raise ValueError("n and y must be non-empty vectors of the same length")
    if (y < 0).any() or (y > n).any():
        raise ValueError("need 0 <= y <= n at every dose")
    nd = len(n)
    elim = np.zeros(nd, dtype=bool)
    p_over = overdose_probability(n, y, target)
    for i in range(nd):
        if n[i] >= BOIN_MIN_N_ELI and p_over[i] > cutoff_eli:
            elim[i:] = True
            break
    iso = tuple(None if np.isnan(v) else float(v) for v in isotonic_estimates(n, y))
    if elim[0]:
        return MTDSelection(None, tuple(bool(e) for e in elim), iso, True, "all_too_toxic")
    if n[~elim].sum() == 0:
        return MTDSelection(None, tuple(bool(e) for e in elim), iso, False, "no_treated_admissible")
    adm = np.flatnonzero((n != 0) & ~elim)
    phat, var = _beta_moments(n[adm], y[adm])
    phat = pava(phat, 1.0 / var)
    phat = phat + np.arange(1, len(phat) + 1) * BOIN_TIE
    pick = int(np.argmin(np.abs(phat - target)))
    return MTDSelection(int(adm[pick]) + 1, tuple(bool(e) for e in elim), iso, False, None)


# --------------------------------------------------------------------------- from a submission

@dataclass
class DLTResult:
    """Per dose level DLT counts, exact CIs, isotonic estimates and the BOIN MTD."""

    target_rate: float
    window_days: int
    definition: str
    definition_used: str
    min_grade: int
    levels: pd.DataFrame          # ARM, DOSE, DOSE_UNIT, DOSED, N, N_DLT, RATE, CI_LOW, CI_HIGH, ISOTONIC, P_OVERDOSE, ELIMINATED
    mtd: dict | None
    mtd_reason_code: str | None
    all_doses_too_toxic: bool
    highest_dose_explored: float | None
    highest_dose_unit: str | None
    above_explored: list[str]
    events: pd.DataFrame          # the DLT events: USUBJID, ARM, AESEQ, AEDECOD, ONSET_DAY, GRADE
    trend: dict | None = None
    notes: list[dict] = field(default_factory=list)
    reason_code: str | None = None
    reason_fmt: dict = field(default_factory=dict)
    overrides: list[dict] = field(default_factory=list)   # sponsor DLT values replaced by the reviewer's rules
    defaults: list[dict] = field(default_factory=list)    # DLT values not declared: the rules' defaults used
    lowest_dose_explored: float | None = None
    next_stage: dict | None = None                        # proposed next-stage dose against the explored range

    def to_dict(self) -> dict:
        levels = []
        for r in self.levels.itertuples(index=False):
            levels.append({"arm": r.ARM, "dose": fnum(r.DOSE), "dose_unit": r.DOSE_UNIT, "dosed": int(r.DOSED),
                           "n": int(r.N), "n_dlt": int(r.N_DLT), "rate": fnum(r.RATE), "ci_low": fnum(r.CI_LOW),
                           "ci_high": fnum(r.CI_HIGH), "isotonic": fnum(r.ISOTONIC),
                           "p_overdose": fnum(r.P_OVERDOSE), "eliminated": bool(r.ELIMINATED)})
        mr = reason(self.mtd_reason_code, **self.reason_fmt) if self.mtd is None else reason(None)
        return {"target_rate": self.target_rate, "window_days": self.window_days, "definition": self.definition,
                "definition_used": self.definition_used, "min_grade": self.min_grade, "levels": levels,
                "mtd": self.mtd, "mtd_reason": mr["reason"], "mtd_reason_zh": mr["reason_zh"],
                "mtd_reason_code": mr["reason_code"],
                "all_doses_too_toxic": self.all_doses_too_toxic,
                "highest_dose_explored": self.highest_dose_explored, "highest_dose_unit": self.highest_dose_unit,
                "above_explored": list(self.above_explored), "lowest_dose_explored": self.lowest_dose_explored,
                "next_stage": self.next_stage, "overrides": list(self.overrides), "defaults": list(self.defaults),
                "events": frame_records(self.events, {"USUBJID": "usubjid", "ARM": "arm", "AESEQ": "aeseq",
                                                      "AEDECOD": "aedecod", "ONSET_DAY": "onset_day",
                                                      "GRADE": "grade"}),
                "trend": self.trend, "notes": self.notes, **reason(self.reason_code, **self.reason_fmt)}


def dlt_events(sub: Submission) -> tuple[pd.DataFrame, str]:
    """AE records that are DLTs under the definition in force (``sub.study.parameters``), and the definition
    actually used."""
    p = sub.study.parameters
    ae = sub.study.adverse_events
    if len(ae) == 0:
        return ae, p.dlt_definition
    used = p.dlt_definition
    if used == "flag" and "AEDLT" not in ae.columns:
        used = "grade"
    if used == "flag":
        hit = ae["DLT"] & ae["DOSED"]
    else:
        hit = (ae["TEAE"] & ae["RELATED"] & (ae["GRADE"] >= p.dlt_min_grade)
               & (ae["ONSET_DAY"] <= p.dlt_window_days))
    return ae[hit.fillna(False).astype(bool)], used


def _subject_dlt_table(sub: Submission, dlt_subjects: set) -> pd.DataFrame:
    """Dosed subjects with ARM, follow-up days, DLT flag and evaluability."""
    window = sub.study.parameters.dlt_window_days
    subj = sub.study.subjects
    dosed = sorted(sub.study.dosed)
    fu = sub.study.follow_up_days
    arm = subj["ARM"] if len(subj) else pd.Series(dtype=object)
    t = pd.DataFrame({"USUBJID": dosed})
    t["ARM"] = t["USUBJID"].map(arm)
    t["FU"] = t["USUBJID"].map(fu).astype(float)
    t["DLT"] = t["USUBJID"].isin(dlt_subjects)
    t["EVALUABLE"] = (t["FU"] >= window) | t["DLT"]
    return t


def dlt_analysis(sub: Submission) -> DLTResult:
    """DLT-evaluable subjects and DLTs per active dose level, Clopper–Pearson CIs, isotonic estimates, BOIN MTD."""
    cfg = sub.study.parameters
    arms = arm_table(sub)
    notes: list[dict] = []
    events, used = dlt_events(sub)
    if used != cfg.dlt_definition:
        notes.append(reason("dlt_flag_missing", min_grade=cfg.dlt_min_grade, window=cfg.dlt_window_days))
    dlt_subjects = set(events["USUBJID"].dropna()) if len(events) else set()
    t = _subject_dlt_table(sub, dlt_subjects)
    active = arms[~arms["CONTROL"]] if len(arms) else arms
    rows = []
    for a in active.itertuples(index=False):
        s = t[t["ARM"] == a.ARM]
        ev = s[s["EVALUABLE"]]
        rows.append({"ARM": a.ARM, "DOSE": a.DOSE, "DOSE_UNIT": a.DOSE_UNIT, "DOSED": len(s), "N": len(ev),
                     "N_DLT": int(ev["DLT"].sum())})
    levels = pd.DataFrame(rows, columns=["ARM", "DOSE", "DOSE_UNIT", "DOSED", "N", "N_DLT"])
    levels["RATE"] = np.where(levels["N"] > 0, levels["N_DLT"] / levels["N"].where(levels["N"] > 0), np.nan)
    lo, hi = clopper_pearson(levels["N_DLT"].to_numpy(), levels["N"].to_numpy()) if len(levels) else ([], [])
    levels["CI_LOW"], levels["CI_HIGH"] = lo, hi
    levels["ISOTONIC"] = np.nan
    levels["P_OVERDOSE"] = np.nan
    levels["ELIMINATED"] = False
    ev_cols = [c for c in ("USUBJID", "ARM", "AESEQ", "AEDECOD", "ONSET_DAY", "GRADE") if c in events.columns]
    ev_table = events[ev_cols].copy() if len(events) else pd.DataFrame(columns=ev_cols)
    if "AESEQ" in ev_table.columns:
        ev_table["AESEQ"] = seq_values(ev_table["AESEQ"])

    result = DLTResult(cfg.dlt_target_rate, cfg.dlt_window_days, cfg.dlt_definition, used, cfg.dlt_min_grade, levels,
                       None, None, False, None, None, [], ev_table, notes=notes,
                       overrides=[o.to_dict() for o in cfg.overrides if o.field.startswith("study.dlt.")],
                       defaults=[d.to_dict() for d in cfg.defaults if d.field.startswith("study.dlt.")])
    if sub.domain("AE") is None:
        notes.append(reason("no_ae"))
    if levels.empty:
        result.mtd_reason_code = result.reason_code = "no_active_levels"
        return result

    # MTD over the levels with a known dose, in dose order (arm_table is already sorted by dose)
    known = levels["DOSE"].notna()
    unknown = levels.loc[~known, "ARM"].tolist()
    if unknown:
        notes.append(reason("dose_unknown", arms=", ".join(unknown)))
    ordered = levels[known]
    if len(ordered):
        n = ordered["N"].to_numpy(dtype=float)
        y = ordered["N_DLT"].to_numpy(dtype=float)
        levels.loc[ordered.index, "ISOTONIC"] = isotonic_estimates(n, y)
        levels.loc[ordered.index, "P_OVERDOSE"] = np.where(n > 0, overdose_probability(n, y, cfg.dlt_target_rate),
                                                           np.nan)
    if len(ordered) == 0 or ordered["N"].sum() == 0:
        result.mtd_reason_code = "no_evaluable"
    elif sub.domain("AE") is None:
        result.mtd_reason_code = "no_ae"
    else:
        sel = select_mtd(n, y, cfg.dlt_target_rate)
        levels.loc[ordered.index, "ELIMINATED"] = list(sel.eliminated)
        result.all_doses_too_toxic = sel.all_too_toxic
        design = sub.m.study.design
        if sel.index is not None and design != DOSE_FINDING_DESIGN:
            # an MTD is a dose-finding result: other designs get the elimination rule, not a "selected" dose
            result.mtd_reason_code = "not_dose_finding"
            result.reason_fmt = {"design": design or "not declared"}
        elif sel.index is not None:
            row = ordered.iloc[sel.index]
            result.mtd = {"arm": row["ARM"], "dose": fnum(row["DOSE"]), "dose_unit": row["DOSE_UNIT"],
                          "level": sel.mtd, "isotonic": fnum(levels.loc[row.name, "ISOTONIC"])}
        else:
            result.mtd_reason_code = sel.reason_code

    # highest dose explored (G-2.2.2c): among active levels with at least one dosed subject
    explored = levels[(levels["DOSED"] > 0) & known]
    if len(explored):
        top = explored.loc[explored["DOSE"].idxmax()]
        result.highest_dose_explored = fnum(top["DOSE"])
        result.highest_dose_unit = top["DOSE_UNIT"]
        manifest_arms = set(arms.loc[arms["IN_MANIFEST"].astype(bool), "ARM"])
        above = levels[known & levels["ARM"].isin(manifest_arms) & (levels["DOSE"] > top["DOSE"])
                       & (levels["DOSE_UNIT"].fillna("") == (top["DOSE_UNIT"] or ""))]
        result.above_explored = above["ARM"].tolist()
        result.lowest_dose_explored = fnum(explored["DOSE"].min())
    result.next_stage = next_stage_dose(sub, result)
    result.trend = dlt_trend(sub, t, arms)
    return result


def next_stage_dose(sub: Submission, result: DLTResult) -> dict | None:
    """The proposed next-stage dose (submission.yaml ``next_stage``) against the doses explored (G-2.2.2c): dose
    and unit as declared, normalised, and whether it is above (or below) the explored range; None when no
    next-stage dose is declared."""
    ns = sub.m.next_stage
    if ns is None or ns.dose is None:
        return None
    norm = normalise_dose_unit(ns.dose_unit) if ns.dose_unit else None
    dose = ns.dose * norm[0] if norm else None
    unit = norm[1] if norm else None
    out = {"dose": fnum(ns.dose), "dose_unit": ns.dose_unit, "dose_normalised": fnum(dose), "unit_normalised": unit,
           "highest_dose_explored": result.highest_dose_explored, "lowest_dose_explored": result.lowest_dose_explored,
           "explored_unit": result.highest_dose_unit, "comparable": False, "above_explored": None,
           "below_explored": None}
    if dose is None or result.highest_dose_explored is None or unit != result.highest_dose_unit:
        return out
    out.update(comparable=True, above_explored=bool(dose > result.highest_dose_explored * (1 + 1e-9)),
               below_explored=bool(dose < result.lowest_dose_explored * (1 - 1e-9)))
    return out


def dlt_trend(sub: Submission, t: pd.DataFrame, arms: pd.DataFrame) -> dict | None:
    """Cochran–Armitage trend of DLT proportions over dose (control as dose 0), evaluable subjects only."""
    rows = []
    for a in arms.itertuples(index=False):
        dose = 0.0 if a.CONTROL else a.DOSE
        if dose is None or pd.isna(dose):
            continue
        ev = t[(t["ARM"] == a.ARM) & t["EVALUABLE"]]
        if len(ev):
            rows.append((float(dose), int(ev["DLT"].sum()), len(ev)))
    if len(rows) < 2:
        return None
    d, x, n = zip(*rows)
    return cochran_armitage(x, n, d)
