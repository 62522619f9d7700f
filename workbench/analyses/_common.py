"""Shared statistics and helpers for the analyses: exact and score intervals, t-intervals, reasons.

Every function here is pure and vectorised where it matters; formulas cite their sources.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from . import _stats

from ..submission import Submission

Z95 = float(_stats.norm_ppf(0.975))   # 1.959964..., two-sided 95%
POOLED = "POOLED"                    # label of "all active arms pooled" in comparisons
UNCODED = "(uncoded)"                # SOC / PT shown for AEs without AEBODSYS / AEDECOD


# --------------------------------------------------------------------------- reasons

# Stable reason codes -> (English, Chinese). Shown when an analysis cannot be computed (never an exception).
REASONS: dict[str, tuple[str, str]] = {
    "no_dm": ("DM is missing: subjects and arms cannot be identified", "缺少 DM 数据集：无法确定受试者及组别"),
    "no_arms": ("no arms in the manifest or the data", "清单和数据中均无组别"),
    "no_ex": ("EX is missing: which subjects were dosed is unknown (shown as unknown, not 0)",
              "缺少 EX 数据集：给药受试者未知（显示为未知，而非 0）"),
    "no_dosed": ("no dosed subjects", "无已给药受试者"),
    "no_ae": ("AE is missing: adverse events are unknown (shown as unknown, not 0)",
              "缺少 AE 数据集：不良事件未知（显示为未知，而非 0）"),
    "no_active_levels": ("no active (non-control) dose levels", "无试验组（非对照）剂量组"),
    "no_evaluable": ("no DLT-evaluable subjects at any dose level", "各剂量组均无可评价 DLT 的受试者"),
    "all_too_toxic": ("all doses too toxic: the lowest dose is eliminated (P(DLT rate > target) > 0.95)",
                      "所有剂量毒性过高：最低剂量已被剔除（P(DLT 率 > 目标) > 0.95）"),
    "not_dose_finding": ("MTD not selected: the study design is {design}, not dose escalation (BOIN elimination "
                         "is still applied)", "未选择 MTD：研究设计为 {design}，非剂量递增（仍执行 BOIN 剔除规则）"),
    "no_treated_admissible": ("no subjects were treated at the doses not eliminated",
                              "未被剔除的剂量组均无受试者接受治疗"),
    "dose_unknown": ("dose levels without a known dose cannot be ordered: {arms}",
                     "以下剂量组剂量未知，无法排序：{arms}"),
    "no_endpoint": ("no primary endpoint declared in submission.yaml", "submission.yaml 未声明主要终点"),
    "no_endpoint_domain": ("the endpoint domain {domain} is missing", "缺少终点数据集 {domain}"),
    "no_endpoint_records": ("no {domain} records with {testcd_var} = {testcd}",
                            "{domain} 中无 {testcd_var} = {testcd} 的记录"),
    "no_visit": ("no primary-endpoint visit declared: the last post-dose record is used",
                 "未声明主要终点访视：采用给药后最后一次记录"),
    "no_changes": ("no subject has both a baseline and a target-visit value",
                   "无受试者同时具有基线值和目标访视值"),
    "too_few_for_comparison": ("too few subjects with a change from baseline for the comparison (need >= 2 per group)",
                               "有基线变化值的受试者过少，无法比较（每组至少 2 例）"),
    "dlt_flag_missing": ("DLT definition 'flag' but AE has no AEDLT variable: DLTs identified by the grade rule "
                         "(related, grade >= {min_grade}, onset within {window} days)",
                         "DLT 定义为 'flag' 但 AE 无 AEDLT 变量：改按分级规则判定（相关、≥{min_grade} 级、"
                         "{window} 天内发生）"),
    "no_control": ("no control arm: comparisons against control are not applicable", "无对照组：不适用与对照组的比较"),
    "no_cmc": ("cmc/batches.csv and cmc/release_tests.csv are missing", "缺少 cmc/batches.csv 和 cmc/release_tests.csv"),
    "no_release_tests": ("cmc/release_tests.csv is missing", "缺少 cmc/release_tests.csv"),
    "no_stopping_rules": ("no stopping rules declared in submission.yaml", "submission.yaml 未声明停止规则"),
    "no_first_dose": ("first dose dates are unknown: follow-up cannot be computed", "首次给药日期未知，无法计算随访时间"),
    "single_site": ("one site and no operator recorded in EX: nothing to compare between sites or operators",
                    "仅一个研究中心且 EX 未记录操作者：无可比较的中心或操作者"),
    "no_is": ("no IS (immunogenicity) dataset: anti-product antibodies, HLA sensitisation and other immune "
              "responses were not submitted (G-2.3.2b, G-3.1a)",
              "无 IS（免疫原性）数据集：未提交抗产品抗体、HLA 致敏等免疫应答结果（G-2.3.2b、G-3.1a）"),
    "no_is_results": ("IS holds no result that can be read as positive or negative", "IS 中无可判定阳性或阴性的结果"),
    "no_persistence": ("no persistence or biodistribution results: no PC / PP dataset{declared} (cell survival, "
                       "distribution and persistence, G-2.2.1, G-3.1a; a BIODISTRIBUTION_REPORT document may hold "
                       "nonclinical data)", "无细胞存续或体内分布结果：无 PC / PP 数据集{declared}（细胞存活、分布和持续"
                       "时间，G-2.2.1、G-3.1a；BIODISTRIBUTION_REPORT 文件可能含非临床数据）"),
    "no_post_target": ("no assessment of the primary endpoint after the target visit {visit}: durability beyond it "
                       "cannot be shown", "主要终点在目标访视 {visit} 之后无评估：无法显示其后疗效的持续性"),
    "no_lb": ("LB is missing: laboratory results are unknown", "缺少 LB 数据集：实验室检查结果未知"),
    "no_lb_tests": ("LB has no USUBJID or LBTESTCD: laboratory results cannot be read",
                    "LB 缺少 USUBJID 或 LBTESTCD：无法读取实验室检查结果"),
    "no_liver_tests": ("no ALT, AST or total bilirubin results (by LBTESTCD or LBTEST; see the rules file's "
                       "liver-test vocabulary)", "无 ALT、AST 或总胆红素结果（按 LBTESTCD 或 LBTEST，见规则文件中的肝功能检查词表）"),
}


def reason(code: str | None, **fmt) -> dict:
    """``{"reason": en, "reason_zh": zh, "reason_code": code}`` for a stable reason code (all None when no code)."""
    if code is None:
        return {"reason": None, "reason_zh": None, "reason_code": None}
    en, zh = REASONS[code]
    return {"reason": en.format(**fmt), "reason_zh": zh.format(**fmt), "reason_code": code}


# --------------------------------------------------------------------------- numbers

def fnum(v) -> float | None:
    """A finite float, or None (NaN, inf, missing, not a number)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def inum(v) -> int | None:
    f = fnum(v)
    return None if f is None else int(f)


def pct(n, d) -> float | None:
    """100·n/d rounded to 1 decimal, None when d is 0."""
    return round(100.0 * n / d, 1) if d else None


def seq_value(v):
    """AESEQ as an int when it is a whole number, else the text (None when missing)."""
    f = fnum(v)
    if f is not None and f == int(f):
        return int(f)
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return str(v)


def seq_values(s: pd.Series) -> pd.Series:
    """:func:`seq_value` over a column, computed once per distinct value (object dtype)."""
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    mapped = np.array([seq_value(v) for v in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype="object")


# --------------------------------------------------------------------------- intervals

def clopper_pearson(x, n, alpha: float = 0.05):
    """Exact (Clopper–Pearson 1934) two-sided interval for x/n; vectorised; NaN where n == 0.

    lower = B(α/2; x, n−x+1) (0 when x = 0), upper = B(1−α/2; x+1, n−x) (1 when x = n),
    B the beta quantile. Equals statsmodels ``proportion_confint(method='beta')``.
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, _stats.beta_ppf(alpha / 2, x, n - x + 1), 0.0)
        hi = np.where(x < n, _stats.beta_ppf(1 - alpha / 2, x + 1, n - x), 1.0)
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def wilson(x, n, z: float = Z95):
    """Wilson (1927) score interval without continuity correction; vectorised; NaN where n == 0."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        centre = (x + z * z / 2) / (n + z * z)
        half = z * np.sqrt(n) / (n + z * z) * np.sqrt(p * (1 - p) + z * z / (4 * n))
    return centre - half, centre + half


def newcombe_diff(x1, n1, x2, n2, z: float = Z95):
    """Risk difference p1 − p2 with Newcombe's hybrid score interval (Newcombe 1998, Stat Med 17:873, method 10).

    With Wilson limits (l1, u1), (l2, u2):  L = d − sqrt((p1−l1)² + (u2−p2)²),  U = d + sqrt((u1−p1)² + (p2−l2)²).
    Vectorised; equals statsmodels ``confint_proportions_2indep(method='newcomb', compare='diff')``.
    Returns (d, L, U); NaN where a denominator is 0.
    """
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = wilson(x1, n1, z)
        l2, u2 = wilson(x2, n2, z)
        d = p1 - p2
        lo = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        hi = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, lo, hi


@dataclass(frozen=True)
class Summary:
    """n, mean, SD and two-sided 95% t-interval of the mean."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None

    def to_dict(self) -> dict:
        return {"n": self.n, "mean": self.mean, "sd": self.sd, "ci_low": self.ci_low, "ci_high": self.ci_high}


def t_summary(values) -> Summary:
    """Mean ± t(0.975, n−1)·SD/√n (SD with n−1); interval None when n < 2."""
    v = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").dropna(), dtype=float)
    n = len(v)
    if n == 0:
        return Summary(0, None, None, None, None)
    mean = float(v.mean())
    if n < 2:
        return Summary(1, mean, None, None, None)
    sd = float(v.std(ddof=1))
    half = float(_stats.t_ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return Summary(n, mean, sd, mean - half, mean + half)


# --------------------------------------------------------------------------- arms

def arm_table(sub: Submission) -> pd.DataFrame:
    """The study model's arms (ARM, LABEL, CONTROL, DOSE, DOSE_UNIT, IN_MANIFEST …): control first, then by dose."""
    return sub.study.arms


def frame_records(df: pd.DataFrame, columns: dict[str, str] | None = None) -> list[dict]:
    """DataFrame rows as dicts (optionally renaming/selecting columns) with NaN -> None."""
    if df is None or len(df) == 0:
        return []
    if df.columns.duplicated().any():
        if columns:
            df = df[[c for c in columns if c in df.columns]].rename(columns=columns)
        return [{k: _clean(v) for k, v in rec.items()} for rec in df.to_dict("records")]
    keep = [c for c in columns if c in df.columns] if columns else list(df.columns)
    names = [columns[c] for c in keep] if columns else keep
    cleaned = [_clean_column(df[c]) for c in keep]
    if not cleaned:
        return [{} for _ in range(len(df))]
    return [dict(zip(names, row)) for row in zip(*cleaned)]


def _clean_column(s: pd.Series) -> list:
    """:func:`_clean` over one column, a whole column at a time (same values as cleaning ``to_dict`` records)."""
    dt = s.dtype
    if isinstance(dt, np.dtype):
        if dt.kind == "f":
            return [v if math.isfinite(v) else None for v in s.tolist()]
        if dt.kind in "iub":
            return s.tolist()
    values = s.to_numpy(dtype=object).tolist() if isinstance(dt, pd.StringDtype) else s.tolist()
    return [_clean(v) for v in values]


def _clean(v):
    if isinstance(v, (list, tuple, dict, set, frozenset)):
        return v
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return fnum(v)
    return v
