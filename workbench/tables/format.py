"""The one place tables are formatted: n (%) cells (percent of the column's N, one decimal), statistics, unknown
cells (``unknown`` / ``未知`` — never 0), arm columns (control first, then by dose) with their N and a Total column.

A cell is ``{"n", "pct", "text"}``; a statistic cell has ``n`` None and ``values`` (the numbers behind its text,
so the XLSX export writes numbers); an unknown cell has ``text_zh`` too.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .table import Column, Row

TOTAL = "Total"
TOTAL_ZH = "合计"


def pct(n, denom) -> float | None:
    return round(100.0 * n / denom, 1) if denom else None


def count(n, denom) -> dict:
    """``65 (75.6)``: subjects and percent of the column's N (``0`` when none; no percent without an N)."""
    n = int(n)
    p = pct(n, denom)
    text = str(n) if n == 0 or p is None else f"{n} ({p:.1f})"
    return {"n": n, "pct": p if denom else None, "text": text}


def number(n) -> dict:
    """A plain count (records, lots): no percent."""
    return {"n": None if n is None else int(n), "pct": None, "text": "—" if n is None else str(int(n))}


def text(value) -> dict:
    return {"n": None, "pct": None, "text": "" if value is None else str(value)}


def unknown() -> dict:
    return {"n": None, "pct": None, "text": "unknown", "text_zh": "未知"}


def fmt(x, decimals: int | None = None) -> str:
    """A statistic for reading: a whole number as such (3, 210), else about three significant digits (39.8, 2.81,
    0.012); '—' when missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    x = float(x)
    if decimals is None and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    if decimals is None:
        decimals = 0 if x == 0 else min(3, max(0, 2 - int(math.floor(math.log10(abs(x))))))
    return f"{x:.{decimals}f}"


def stat(*values, template: str = "{0}") -> dict:
    """A statistic cell: ``template`` filled with the formatted values (e.g. ``"{0} ({1})"`` for mean (SD))."""
    clean = [None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v) for v in values]
    if all(v is None for v in clean):
        return {"n": None, "pct": None, "text": "—", "values": clean}
    return {"n": None, "pct": None, "text": template.format(*[fmt(v) for v in clean]), "values": clean}


def sci(x, unit: str | None = None) -> str:
    """3.2×10⁸ cells (large numbers of cells)."""
    from ..figures._common import fmt_dose

    if x is None or not math.isfinite(float(x)):
        return "—"
    return fmt_dose(x, unit)


def cell_text(cell: dict | None, lang: str) -> str:
    if not cell:
        return ""
    if lang == "zh" and cell.get("text_zh"):
        return cell["text_zh"]
    return cell.get("text", "")


# ---------------------------------------------------------------------------------------------- columns

def arm_columns(sub, members: pd.Series, total: bool = True) -> list[Column]:
    """One column per arm of the study model (control first, then by dose) and Total; N = members in each.

    ``members``: USUBJID -> arm code (None for a member with no arm, counted in Total only)."""
    arms = sub.study.arms
    counts = members.value_counts(dropna=True)
    cols = [Column(a.ARM, a.ARM, int(counts.get(a.ARM, 0)), control=bool(a.CONTROL)) for a in arms.itertuples()]
    if total:
        cols.append(Column(TOTAL, TOTAL, int(len(members)), TOTAL_ZH))
    return cols


def count_cells(columns: list[Column], members: pd.Series, hit) -> dict:
    """n (%) per column of the members in ``hit`` (a set / array of USUBJID, or a boolean mask over members)."""
    if isinstance(hit, (pd.Series, np.ndarray)) and np.asarray(hit).dtype == bool:
        chosen = members[np.asarray(hit, dtype=bool)]
    else:
        chosen = members[members.index.isin(list(hit) if isinstance(hit, (set, frozenset)) else hit)]
    by_arm = chosen.value_counts(dropna=True)
    out = {}
    for c in columns:
        k = len(chosen) if c.key == TOTAL else int(by_arm.get(c.key, 0))
        out[c.key] = count(k, c.n)
    return out


def count_rows(columns: list[Column], members: pd.Series, groups, level: int = 0) -> list:
    """One row per ``(label_zh, label_en, hit, key)`` of ``groups``: n (%) per column (:func:`count_cells`)."""
    return [Row(zh, en, level, count_cells(columns, members, hit), key) for zh, en, hit, key in groups]


def unknown_cells(columns: list[Column]) -> dict:
    return {c.key: unknown() for c in columns}


def n_cells(columns: list[Column]) -> dict:
    return {c.key: number(c.n) for c in columns}


STAT_ROWS = (("n", "n", "n"), ("mean_sd", "均值（标准差）", "Mean (SD)"), ("median", "中位数", "Median"),
             ("min_max", "最小值, 最大值", "Min, Max"))


def stat_rows(columns: list[Column], members: pd.Series, values: pd.Series, level: int = 1,
              prefix: tuple[str, str] = ("", ""), key: dict | None = None) -> list[Row]:
    """n, Mean (SD), Median, Min, Max of ``values`` (USUBJID -> number) per column, over the members."""
    v = pd.Series(values, dtype=float)
    v = v[v.index.isin(members.index) & v.notna()]
    arm = members.reindex(v.index)
    groups = {c.key: (v if c.key == TOTAL else v[(arm == c.key).to_numpy()]) for c in columns}
    return stats_to_rows(columns, {k: _describe(g) for k, g in groups.items()}, level, prefix, key)


def _describe(g: pd.Series) -> dict:
    if len(g) == 0:
        return {"N": 0, "MEAN": None, "SD": None, "MEDIAN": None, "MIN": None, "MAX": None}
    return {"N": int(len(g)), "MEAN": float(g.mean()), "SD": float(g.std(ddof=1)) if len(g) > 1 else None,
            "MEDIAN": float(g.median()), "MIN": float(g.min()), "MAX": float(g.max())}


def stats_to_rows(columns: list[Column], stats: dict[str, dict], level: int = 1, prefix: tuple[str, str] = ("", ""),
                  key: dict | None = None, p: str = "") -> list[Row]:
    """The four statistic rows from per-column dicts of N, MEAN, SD, MEDIAN, MIN, MAX (keys prefixed by ``p``)."""
    rows = []
    for name, zh, en in STAT_ROWS:
        cells = {}
        for c in columns:
            s = stats.get(c.key)
            if s is None:
                cells[c.key] = number(0) if name == "n" else stat(None)
            elif name == "n":
                cells[c.key] = number(_i(s.get(p + "N")))
            elif name == "mean_sd":
                cells[c.key] = stat(s.get(p + "MEAN"), s.get(p + "SD"), template="{0} ({1})")
            elif name == "median":
                cells[c.key] = stat(s.get(p + "MEDIAN"))
            else:
                cells[c.key] = stat(s.get(p + "MIN"), s.get(p + "MAX"), template="{0}, {1}")
        rows.append(Row(prefix[0] + zh, prefix[1] + en, level, cells, {**(key or {}), "statistic": name}))
    return rows


def _i(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return 0
    return int(v)
