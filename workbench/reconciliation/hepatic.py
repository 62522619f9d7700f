"""REC-004: the hepatic criteria and Hy's law flags of the analysis datasets (ADLBHY, else ADLB criterion flags)
against the library's hepatic analysis (peak post-baseline ×ULN; potential Hy's law: ALT or AST > 3×ULN and total
bilirubin > 2×ULN), subject by subject."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..analyses.labs import BILIRUBIN_X, TRANSAMINASE_X, hepatic_subjects
from ..submission import Submission
from .result import Disagreement, ItemResult, not_applicable, unreadable
from .values import adam_days, norm, subject_ids, text, yes_flags

PARAMS = {"ALT": ("ALT_3X", "ALT_X", TRANSAMINASE_X), "AST": ("AST_3X", "AST_X", TRANSAMINASE_X),
          "BILI": ("BILI_2X", "BILI_X", BILIRUBIN_X)}
HYSLAW = "HYSLAW"
CRIT_RE = re.compile(r"CRIT(\d+)")
BLANK = "—"


def _dataset(sub: Submission) -> tuple[str | None, pd.DataFrame | None]:
    for name in ("ADLBHY", "ADLB"):
        df = sub.adam.get(name)
        if df is not None:
            return name, df
    return None, None


def _criterion_flag(sub: Submission, df: pd.DataFrame) -> np.ndarray:
    """Per record: any CRITn flag (CRITnFL) that reads yes, for a CRITn whose text speaks of the ULN (or has none)."""
    out = np.zeros(len(df), dtype=bool)
    for c in df.columns:
        m = CRIT_RE.fullmatch(c)
        if not m or f"{c}FL" not in df.columns:
            continue
        texts = df[c].map(lambda v: norm(v) or "")
        about_uln = texts.str.contains("ULN").to_numpy() | (texts == "").to_numpy()
        out |= yes_flags(sub, df[f"{c}FL"]) & about_uln
    return out


def hepatic_flags(sub: Submission) -> ItemResult:
    name, df = _dataset(sub)
    if df is None:
        if unreadable(sub, "ADLBHY") or unreadable(sub, "ADLB"):
            return not_applicable("REC-004", "ADLBHY / ADLB could not be read (reported by TRC-007)",
                                  "ADLBHY / ADLB 无法读取（由 TRC-007 报告）")
        return not_applicable("REC-004", "no ADLBHY or ADLB in the analysis datasets", "分析数据集中无 ADLBHY 或 ADLB")
    if "USUBJID" not in df.columns or "PARAMCD" not in df.columns:
        return not_applicable("REC-004", f"{name} has no USUBJID or PARAMCD variable",
                              f"{name} 缺少 USUBJID 或 PARAMCD 变量")
    if not sub.has("LB"):
        return not_applicable("REC-004", "LB is missing (reported by SAF-008)", "缺少 LB（由 SAF-008 报告）")
    model = sub.study
    lib = hepatic_subjects(sub).set_index("USUBJID")
    ids = subject_ids(df["USUBJID"])
    param = df["PARAMCD"].map(norm).to_numpy(dtype=object)
    flag = _criterion_flag(sub, df)
    first = model.first_dose["FIRST_HI"] if len(model.first_dose) else pd.Series(dtype=float)
    adt = adam_days(df["ADT"]) if "ADT" in df.columns else np.full(len(df), np.nan)
    ady = pd.to_numeric(df["ADY"], errors="coerce").to_numpy(dtype=float) if "ADY" in df.columns \
        else np.full(len(df), np.nan)
    f_day = pd.Series(ids).map(first).to_numpy(dtype=float)
    post = np.where(~np.isnan(adt), adt > f_day, ady > 1)     # after the first dose date (ADY 1 = its day)
    item = ItemResult("REC-004")
    subjects = [u for u in pd.unique(ids) if u is not None]
    params = [p for p in PARAMS if (param == p).any()]
    has_hy = (param == HYSLAW).any()
    if not params and not has_hy:
        return not_applicable("REC-004", f"{name} has no ALT, AST, BILI or HYSLAW parameter",
                              f"{name} 无 ALT、AST、BILI 或 HYSLAW 参数")
    hits: dict[str, set] = {}
    for p in params:
        sel = param == p
        hit = set(ids[flag & sel & post]) - {None}
        base = set(ids[flag & sel & ~post]) - {None}
        hits[p] = hit
        for u in subjects:
            mine = bool(lib.at[u, PARAMS[p][0]]) if u in lib.index else False
            _compare(item, name, u, p, u in hit, mine, lib, u in base)
    shown: dict = {}
    if has_hy:
        rows = param == HYSLAW
        aval = df["AVALC"] if "AVALC" in df.columns else pd.Series(None, index=df.index)
        yes = yes_flags(sub, aval) | flag
        hy = set(ids[rows & yes]) - {None}
        hy_subjects = [u for u in pd.unique(ids[rows]) if u is not None]
        shown = {u: text(v) for u, v in zip(ids[rows], aval.to_numpy(dtype=object)[rows])}
    else:   # no HYSLAW parameter: ADaM's Hy's law is its own criterion flags combined (ALT or AST, and BILI)
        hy = (hits.get("ALT", set()) | hits.get("AST", set())) & hits.get("BILI", set()) \
            if "BILI" in hits and ("ALT" in hits or "AST" in hits) else None
        hy_subjects = subjects
    if hy is not None:
        for u in hy_subjects:
            mine = bool(lib.at[u, "HYS_LAW"]) if u in lib.index else False
            _compare(item, name, u, HYSLAW, u in hy, mine, lib, False, shown.get(u))
    in_adam = set(subjects)
    missing_hy = [u for u in lib.index[lib["HYS_LAW"].astype(bool)] if u not in in_adam]
    for u in missing_hy:
        item.disagree_with(Disagreement(
            name, u, f"PARAMCD={HYSLAW}", HYSLAW, f"not in {name}", _peaks(lib, u), "hy_missing",
            f"Subject {u}: potential Hy's law by the library's hepatic analysis ({_peaks(lib, u)}), but the subject "
            f"is not in {name}", f"受试者 {u}：按本系统肝脏分析为潜在 Hy's law（{_peaks(lib, u)}），但 {name} 中无该受试者"))
    flagged_out = sorted(u for u in lib.index[lib[["ALT_3X", "AST_3X", "BILI_2X"]].any(axis=1)]
                         if u not in in_adam and u not in missing_hy)
    if flagged_out:
        item.not_compared += len(flagged_out)
        item.note(f"{len(flagged_out)} subject(s) above a hepatic threshold by the library are not in {name} "
                  f"(not compared): {', '.join(flagged_out[:8])}",
                  f"{len(flagged_out)} 名按本系统超过肝脏指标阈值的受试者不在 {name} 中（未比较）：{'、'.join(flagged_out[:8])}")
    return item


def _peaks(lib: pd.DataFrame, u: str) -> str:
    if u not in lib.index:
        return "not evaluable (no post-baseline ALT, AST or bilirubin)"
    r = lib.loc[u]
    parts = [f"{p} {r[x]:.2f}×ULN" for p, (_, x, _t) in PARAMS.items() if r[x] == r[x]]
    return ", ".join(parts)


def _compare(item: ItemResult, name: str, u: str, p: str, adam: bool, mine: bool, lib: pd.DataFrame,
             baseline_flag: bool, shown: str | None = None) -> None:
    if adam == mine:
        item.count(p, True)
        return
    peaks = _peaks(lib, u)
    adam_text = (shown or ("Y" if adam else "N")) if p == HYSLAW else ("flagged" if adam else "not flagged")
    lib_text = ("potential Hy's law" if mine else "not Hy's law") if p == HYSLAW else \
        (f"> {PARAMS[p][2]:g}×ULN" if mine else f"not > {PARAMS[p][2]:g}×ULN")
    x = lib.at[u, PARAMS[p][1]] if p in PARAMS and u in lib.index else np.nan
    if p in PARAMS and adam and not mine and x == x and x == PARAMS[p][2]:
        kind, en, zh = ("threshold_tie", f"the peak is exactly {x:g}×ULN: {name} flags it (≥), the library does not "
                                         f"(> {PARAMS[p][2]:g}×ULN)",
                        f"峰值恰为 {x:g}×ULN：{name} 按“≥”标记，本系统按“> {PARAMS[p][2]:g}×ULN”不标记")
    elif adam and not mine and baseline_flag:
        kind, en, zh = ("baseline_flagged", f"{name} flags a record on or before the first dose (baseline); the "
                                            f"library counts post-baseline values only ({peaks})",
                        f"{name} 标记了首次给药当天或之前（基线）的记录；本系统仅计基线后数值（{peaks}）")
    elif adam:
        kind, en, zh = ("adam_only", f"{name} flags it; by the library's hepatic analysis: {peaks}",
                        f"{name} 已标记；本系统肝脏分析为：{peaks}")
    else:
        kind, en, zh = ("library_only", f"{name} does not flag it; by the library's hepatic analysis: {peaks}",
                        f"{name} 未标记；本系统肝脏分析为：{peaks}")
    item.disagree_with(Disagreement(name, u, f"PARAMCD={p}", p, adam_text, lib_text, kind,
                                    f"Subject {u}, PARAMCD={p}: {en}", f"受试者 {u}，PARAMCD={p}：{zh}"))
