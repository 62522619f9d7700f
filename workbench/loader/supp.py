"""Supplemental qualifiers (SUPP--) merged onto their parent records as columns named QNAM."""
from __future__ import annotations

import pandas as pd

from ..submission import LoadReason
from ..text import norm_value, obj, per_distinct
from ..textsafe import one_line
from .context import LoadContext


def merge_supp(datasets: dict[str, pd.DataFrame], supp: dict[str, pd.DataFrame], ctx: LoadContext) -> None:
    """Merge SUPP-- qualifiers onto parent records as columns named QNAM (parent values win on conflict)."""
    for name, sdf in supp.items():
        missing = [c for c in ("USUBJID", "QNAM", "QVAL") if c not in sdf.columns]
        if missing:
            ctx.issue(ctx.path_of(name), LoadReason.MISSING_COLUMNS,
                         f"{name} lacks column(s) {', '.join(missing)}; not merged",
                         f"{name} 缺少列 {', '.join(missing)}，未合并", name)
            continue
        parent_name = name[4:]
        if "RDOMAIN" in sdf.columns and sdf["RDOMAIN"].notna().any():
            parent_name = str(sdf["RDOMAIN"].dropna().iloc[0]).upper()
        parent = datasets.get(parent_name)
        if parent is None or "USUBJID" not in parent.columns:
            continue
        s = sdf.copy()
        for c in ("IDVAR", "IDVARVAL"):
            if c not in s.columns:
                s[c] = None
        # a blank IDVAR (subject-level qualifiers, e.g. SUPPDM SAFETY / ITT) merges on USUBJID alone
        s["IDVAR"] = obj(per_distinct(s["IDVAR"], lambda v: norm_value(v) or "", ""), s.index)
        s["IDVARVAL"] = obj(per_distinct(s["IDVARVAL"], _key_text, ""), s.index)
        s["QNAM"] = obj(per_distinct(s["QNAM"], norm_value), s.index)
        s = s[s["QNAM"].notna()]
        reserved = s["QNAM"].isin(["USUBJID", "STUDYID", "DOMAIN", "IDVAR", "IDVARVAL"]) | s["QNAM"].str.startswith("_")
        if reserved.any():   # a qualifier may not overwrite the keys the merge is made on
            names = ", ".join(sorted(one_line(q) for q in set(s.loc[reserved, "QNAM"])))
            ctx.issue(ctx.path_of(name), LoadReason.CORRUPT,
                         f"{name}: {int(reserved.sum())} qualifier(s) named after a key variable ({names}); not merged",
                         f"{name}：{int(reserved.sum())} 个补充限定符以关键变量命名（{names}），未合并", name)
            s = s[~reserved]
        merged = parent
        for idvar, group in s.groupby("IDVAR", sort=True):
            keys = ["USUBJID"] + (["__IDVAL"] if idvar else [])
            wide = group.assign(__IDVAL=group["IDVARVAL"]).pivot_table(
                index=keys, columns="QNAM", values="QVAL", aggfunc="first")
            wide.columns = [str(c) for c in wide.columns]
            wide = wide.reset_index()
            if idvar:
                if idvar not in merged.columns:
                    ctx.issue(ctx.path_of(name), LoadReason.MISSING_COLUMNS,
                                 f"{name}: IDVAR {idvar} is not a column of {parent_name}; those qualifiers not merged",
                                 f"{name}：IDVAR {idvar} 不是 {parent_name} 的列，相应补充限定符未合并", name)
                    continue
                merged = merged.assign(__IDVAL=merged[idvar].map(_key_text))
            new_cols = [c for c in wide.columns if c not in keys]
            clash = [c for c in new_cols if c in merged.columns]
            wide = wide.rename(columns={c: f"{c}__SUPP" for c in clash})
            merged = merged.merge(wide, on=keys, how="left")
            for c in clash:
                merged[c] = merged[c].where(merged[c].notna(), merged[f"{c}__SUPP"])
                merged = merged.drop(columns=f"{c}__SUPP")
            if "__IDVAL" in merged.columns:
                merged = merged.drop(columns="__IDVAL")
        datasets[parent_name] = merged.astype({c: "object" for c in merged.columns
                                               if c not in parent.columns})


def _key_text(v) -> str:
    """IDVARVAL / --SEQ as comparable text: 3, 3.0 and ' 3' are the same key."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v).strip()
    try:
        f = float(text)
        if f.is_integer():
            return str(int(f))
    except ValueError:
        pass
    return text
