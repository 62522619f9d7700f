"""Efficacy and adverse-event rates by site, and by operator where EX records who administered the product, with
heterogeneity tests (EFF-005; guideline G-2.1.3b: operators' experience and technique can affect results).

Tests (p-values compared with the rules' ``site_heterogeneity_p``, default 0.05: three outcomes are tested per
factor, so a looser level flags chance differences often; 0.10, usual for heterogeneity tests of low power, is a
reviewer's choice):

- change from baseline of the primary endpoint: F-test of the group factor in an OLS model
  ``change ~ C(arm) + C(group)`` (``change ~ C(group)`` with one arm): the Type II ANOVA F-test of
  ``statsmodels.formula.api.ols(...).fit()`` + ``statsmodels.stats.anova.anova_lm(typ=2)`` for the group;
- subjects with at least one TEAE and with at least one related TEAE: Pearson's chi-square test of homogeneity of
  the proportions across groups, ``scipy.stats.chi2_contingency(table, correction=False)`` (not adjusted for arm).

Both are computed through :mod:`workbench.analyses._stats` (``scipy.special``, no ``scipy.stats`` import), equal to
the named library calls (tests/analyses/test_stats_equivalence.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..columns import col
from ..memo import memo
from ..submission import Submission
from ..text import norm_value
from . import _stats
from ._common import fnum, reason
from .efficacy import endpoint_values

# EX columns (or SUPPEX QNAMs, merged onto EX) naming who administered the product
OPERATOR_VARIABLES = ("EXOPER", "EXOPERID", "OPERATOR", "EXPERF", "EXADMBY")
MIN_PER_GROUP = 2      # groups with fewer subjects are shown but left out of the tests


@dataclass
class GroupComparison:
    """Rates and tests across the groups of one factor (site or operator)."""

    by: str                      # "site" | "operator"
    variable: str                # SITEID, or the EX variable naming the operator
    rows: pd.DataFrame           # GROUP, DOSED, EFF_N, EFF_MEAN, EFF_SD, TEAE, TEAE_PCT, RELATED, RELATED_PCT
    tests: dict = field(default_factory=dict)   # efficacy / any_teae / related_teae -> test result

    @property
    def effect(self) -> list[str]:
        """The outcomes with a heterogeneity p below the threshold."""
        return [k for k, t in self.tests.items() if t.get("heterogeneous")]

    def to_dict(self) -> dict:
        names = {"GROUP": "group", "DOSED": "dosed", "EFF_N": "efficacy_n", "EFF_MEAN": "mean_change",
                 "EFF_SD": "sd_change", "TEAE": "any_teae", "TEAE_PCT": "any_teae_pct", "RELATED": "related_teae",
                 "RELATED_PCT": "related_teae_pct"}
        rows = [{names[k]: (fnum(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in self.rows.to_dict("records")]
        return {"by": self.by, "variable": self.variable, "rows": rows, "tests": self.tests, "effect": self.effect}


@dataclass
class SiteResult:
    endpoint: str | None
    threshold_p: float
    groups: list[GroupComparison]
    reason_code: str | None = None
    notes: list[dict] = field(default_factory=list)

    def group(self, by: str) -> GroupComparison | None:
        return next((g for g in self.groups if g.by == by), None)

    @property
    def effect(self) -> bool | None:
        """A site (or operator) effect on any outcome; None when nothing could be tested."""
        tested = [t for g in self.groups for t in g.tests.values() if t.get("p_value") is not None]
        return any(g.effect for g in self.groups) if tested else None

    def to_dict(self) -> dict:
        return {"endpoint": self.endpoint, "threshold_p": self.threshold_p, "effect": self.effect,
                "by_site": (self.group("site").to_dict() if self.group("site") else None),
                "by_operator": (self.group("operator").to_dict() if self.group("operator") else None),
                **reason(self.reason_code), "notes": self.notes}

    def reason_dict(self) -> dict | None:
        return reason(self.reason_code) if self.reason_code else None


def operator_variable(sub: Submission) -> str | None:
    """The EX variable that names the operator, when EX records one with at least one value."""
    ex = sub.domain("EX")
    if ex is None:
        return None
    return next((v for v in OPERATOR_VARIABLES if v in ex.columns and col(ex, v).notna().any()), None)


def _operators(sub: Submission, var: str) -> pd.Series:
    """Per dosed subject, the operator of the first administration."""
    ex = sub.study.exposure
    ex = ex[ex["USUBJID"].isin(sub.study.dosed)]
    op = col(sub.domain("EX"), var).reindex(ex.index).map(norm_value)
    first = ex.assign(OP=op).dropna(subset=["OP"]).sort_values(["USUBJID", "START_LO"], kind="stable")
    return first.drop_duplicates("USUBJID").set_index("USUBJID")["OP"]


def _f_test(data: pd.DataFrame, threshold: float) -> dict:
    """F-test of GROUP on CHANGE adjusted for ARM (groups with >= MIN_PER_GROUP values)."""
    counts = data["GROUP"].value_counts()
    d = data[data["GROUP"].isin(counts[counts >= MIN_PER_GROUP].index)]
    method = "OLS change ~ C(arm) + C(group), Type II F-test for group (statsmodels anova_lm typ=2)"
    method_zh = "OLS 变化值 ~ C(组别) + C(分组)，分组的 II 型 F 检验（statsmodels anova_lm typ=2）"
    out = {"method": method, "method_zh": method_zh, "p_value": None, "statistic": None, "df": None,
           "groups": int(d["GROUP"].nunique()), "heterogeneous": False}
    if d["GROUP"].nunique() < 2:
        out["note"], out["note_zh"] = "fewer than two groups with data", "有数据的分组少于两个"
        return out
    arms = pd.get_dummies(d["ARM"].astype(str), drop_first=True, dtype=float)
    groups = pd.get_dummies(d["GROUP"].astype(str), drop_first=True, dtype=float)
    one = np.ones((len(d), 1))
    if arms.shape[1] == 0:
        out["method"] = method.replace("C(arm) + ", "")
        out["method_zh"] = method_zh.replace("C(组别) + ", "")
    reduced = np.hstack([one, arms.to_numpy()])
    res = _stats.nested_f_test(d["CHANGE"].to_numpy(dtype=float), reduced, np.hstack([reduced, groups.to_numpy()]))
    if res is None:
        out["note"], out["note_zh"] = ("not computable (no residual variation or degrees of freedom)",
                                       "无法计算（无残差变异或自由度）")
        return out
    f, p, dfn, dfd = res
    out.update(statistic=fnum(f), p_value=fnum(p), df=[dfn, dfd], heterogeneous=bool(p < threshold))
    return out


def _chi2(rows: pd.DataFrame, events: str, threshold: float) -> dict:
    """Chi-square test of homogeneity of ``events`` / DOSED across groups (groups with >= MIN_PER_GROUP dosed)."""
    r = rows[rows["DOSED"] >= MIN_PER_GROUP]
    out = {"method": "Pearson chi-square, groups x (with, without), not adjusted for arm "
                     "(scipy.stats.chi2_contingency, no correction)",
           "method_zh": "Pearson 卡方检验，分组 ×（发生、未发生），未按组别调整（scipy.stats.chi2_contingency，无连续性校正）",
           "p_value": None, "statistic": None, "df": None, "groups": int(len(r)), "heterogeneous": False}
    if len(r) < 2:
        out["note"], out["note_zh"] = "fewer than two groups with data", "有数据的分组少于两个"
        return out
    table = np.column_stack([r[events].to_numpy(dtype=float), (r["DOSED"] - r[events]).to_numpy(dtype=float)])
    if (table.sum(axis=0) == 0).any():
        out["note"], out["note_zh"] = "no variation: every subject or none had one", "无变异：全部受试者均发生或均未发生"
        return out
    stat, p, dof, expected = _stats.chi2_contingency(table)
    small = int((expected < 5).sum())
    out.update(statistic=fnum(stat), p_value=fnum(p), df=dof, heterogeneous=bool(p < threshold))
    if small:
        out["note"] = f"approximate: {small} of {expected.size} expected counts below 5"
        out["note_zh"] = f"近似结果：{expected.size} 个期望频数中 {small} 个小于 5"
    return out


def _compare(sub: Submission, by: str, variable: str, group: pd.Series, change: pd.DataFrame,
             threshold: float) -> GroupComparison:
    """Rates per group of dosed subjects and the tests across groups."""
    dosed = sorted(sub.study.dosed)
    g = group.reindex(pd.Index(dosed, dtype=object))
    g = g[g.notna()]
    ae_known = sub.study.ae_known
    ae = sub.study.adverse_events
    teae = ae[ae["TEAE"].to_numpy(dtype=bool)] if len(ae) else ae
    any_s = set(teae["USUBJID"].dropna()) if len(teae) else set()
    rel_s = set(teae.loc[teae["RELATED"].to_numpy(dtype=bool), "USUBJID"].dropna()) if len(teae) else set()
    subj = pd.DataFrame({"GROUP": g.astype(str)})
    subj["TEAE"] = subj.index.isin(any_s)
    subj["RELATED"] = subj.index.isin(rel_s)
    eff = change.assign(GROUP=change["USUBJID"].map(g)).dropna(subset=["GROUP", "CHANGE"])
    rows = []
    for name, s in subj.groupby("GROUP", sort=True):
        e = eff.loc[eff["GROUP"] == name, "CHANGE"]
        n = len(s)
        rows.append({"GROUP": name, "DOSED": n, "EFF_N": int(len(e)), "EFF_MEAN": float(e.mean()) if len(e) else None,
                     "EFF_SD": float(e.std(ddof=1)) if len(e) > 1 else None,
                     "TEAE": int(s["TEAE"].sum()) if ae_known else None,
                     "TEAE_PCT": round(100 * s["TEAE"].sum() / n, 1) if ae_known and n else None,
                     "RELATED": int(s["RELATED"].sum()) if ae_known else None,
                     "RELATED_PCT": round(100 * s["RELATED"].sum() / n, 1) if ae_known and n else None})
    table = pd.DataFrame(rows, columns=["GROUP", "DOSED", "EFF_N", "EFF_MEAN", "EFF_SD", "TEAE", "TEAE_PCT",
                                        "RELATED", "RELATED_PCT"])
    tests = {}
    if len(eff):
        tests["efficacy"] = _f_test(eff, threshold)
    if ae_known and len(table):
        tests["any_teae"] = _chi2(table, "TEAE", threshold)
        tests["related_teae"] = _chi2(table, "RELATED", threshold)
    return GroupComparison(by, variable, table, tests)


@memo
def site_analysis(sub: Submission) -> SiteResult:
    """Primary-endpoint change and TEAE rates by site (DM.SITEID) and by operator (EX), with heterogeneity tests."""
    threshold = sub.rules_in_force.site_heterogeneity_p
    pe = sub.m.study.primary_endpoint
    res = SiteResult(pe.testcd if pe else None, threshold, [])
    if not sub.study.dosing_known or not sub.study.dosed:
        res.reason_code = "no_ex" if not sub.study.dosing_known else "no_dosed"
        return res
    values, why = endpoint_values(sub)
    if why is not None and why.get("reason_code") != "no_visit":
        res.notes.append(why)
    change = values[values["CHANGE"].notna()][["USUBJID", "ARM", "CHANGE"]]
    subj = sub.study.subjects
    sites = subj["SITEID"].map(lambda v: None if v is None or v != v else str(v).strip() or None)
    if sites.loc[sites.index.isin(sub.study.dosed)].nunique() >= 2:
        res.groups.append(_compare(sub, "site", "SITEID", sites, change, threshold))
    var = operator_variable(sub)
    if var is not None:
        ops = _operators(sub, var)
        if ops.nunique() >= 2:
            res.groups.append(_compare(sub, "operator", var, ops, change, threshold))
    if not res.groups:
        res.reason_code = "single_site"
    return res
