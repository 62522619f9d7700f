"""Tables of further domains: concomitant medications (CM), protocol deviations (DV), immunogenicity (IS)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import col, dates, spread
from ..submission import Submission
from ..units import to_number
from . import population as pop
from .format import arm_columns, count_cells
from .labels import missing_domain, missing_variable, new_table, nothing_found
from .table import Row, Table


def _text_col(df: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` that has a value, per record (stripped text; None when all are blank)."""
    out = pd.Series(None, index=df.index, dtype=object)
    for n in names:
        v = col(df, n).astype(object)
        v = v.where(v.notna(), None).map(lambda x: None if x is None else (str(x).strip() or None))
        out = out.where(out.notna(), v)
    return out


def class_term_rows(cols, members: pd.Series, usubjid: pd.Series, klass: pd.Series | None,
                    term: pd.Series) -> list[Row]:
    """Subjects n (%) per class (level 0) and term within it (level 1), by Total descending then name; without a
    class, terms at level 0."""
    frame = pd.DataFrame({"u": usubjid.to_numpy(dtype=object), "t": term.to_numpy(dtype=object),
                          "c": (klass.to_numpy(dtype=object) if klass is not None else None)})
    frame = frame[frame["u"].isin(members.index) & frame["t"].notna()]
    frame["c"] = frame["c"].where(frame["c"].notna(), "(—)") if klass is not None else None
    rows = []

    def subjects(mask) -> set:
        return set(frame.loc[mask, "u"])

    if klass is None:
        counts = frame.drop_duplicates(["u", "t"])["t"].value_counts()
        for term_ in sorted(counts.index, key=lambda x: (-counts[x], x)):
            rows.append(Row(term_, term_, 0, count_cells(cols, members, subjects(frame["t"] == term_)),
                            {"term": term_}))
        return rows
    c_counts = frame.drop_duplicates(["u", "c"])["c"].value_counts()
    for c in sorted(c_counts.index, key=lambda x: (-c_counts[x], x)):
        in_c = frame["c"] == c
        rows.append(Row(c, c, 0, count_cells(cols, members, subjects(in_c)), {"class": c}))
        t_counts = frame[in_c].drop_duplicates(["u", "t"])["t"].value_counts()
        for term_ in sorted(t_counts.index, key=lambda x: (-t_counts[x], x)):
            rows.append(Row(term_, term_, 1, count_cells(cols, members, subjects(in_c & (frame["t"] == term_))),
                            {"class": c, "term": term_}))
    return rows



def _safety_domain(sub: Submission, t: Table, domain: str, who_zh: str, who_en: str):
    """(the domain's records, the safety population, the arm columns) for a table over ``domain``; None after
    giving ``t`` the note saying why (the domain, the population or its USUBJID missing)."""
    frame = sub.domain(domain)
    if frame is None:
        missing_domain(t, domain)
        return None
    members = pop.safety_or_note(sub, t)
    if members is None:
        return None
    cols = t.columns = arm_columns(sub, members)
    if "USUBJID" not in frame.columns:
        missing_variable(t, domain, "USUBJID", who_zh, who_en)
        return None
    return frame, members, cols

def cm_summary(sub: Submission) -> Table:
    """Concomitant medications of the safety population: CM records not ended before the first dose, by CMCLAS
    and CMDECOD (else CMTRT)."""
    t = new_table("cm_summary", "safety")
    ctx = _safety_domain(sub, t, "CM", "用药受试者", "the subjects taking them")
    if ctx is None:
        return t
    cm, members, cols = ctx
    fd = sub.study.first_dose
    first = spread(sub, "CM", fd["FIRST_LO"]).astype(float) if len(fd) else np.full(len(cm), np.nan)
    end = dates(sub, "CM", "CMENDTC")
    with np.errstate(invalid="ignore"):
        ended_before = end.hi < first
    keep = ~ended_before
    _class_term(t, cols, members, cm[keep], ("CMDECOD", "CMTRT"), "CMCLAS",
                "首次给药后无合并用药记录。", "No medication taken on or after the first dose.")
    t.footnote("合并用药：已给药受试者在首次给药当日或之后仍在使用的药物（CMENDTC 不早于首次给药，或缺失 / 持续）。",
               "Concomitant: medication of a dosed subject not ended before the first dose (CMENDTC on or after it, "
               "or missing / ongoing).")
    t.footnote("分类：CMCLAS；药物：CMDECOD，缺失时 CMTRT。受试者在每行至多计一次。",
               "Class: CMCLAS; term: CMDECOD, else CMTRT. A subject counts once per row.")
    return t


def _class_term(t: Table, cols, members, frame: pd.DataFrame, term_cols: tuple[str, ...], class_col: str,
                empty_zh: str, empty_en: str) -> None:
    """``t.rows``: subjects n (%) by class (``class_col`` when present) and term (the first of ``term_cols``
    filled); a "nothing found" row when there is none."""
    term = _text_col(frame, *term_cols)
    klass = _text_col(frame, class_col) if class_col in frame.columns else None
    t.rows = class_term_rows(cols, members, col(frame, "USUBJID"), klass, term)
    if not t.rows:
        nothing_found(t, empty_zh, empty_en)


def deviations(sub: Submission) -> Table:
    """Protocol deviations by DVCAT and DVDECOD (else DVTERM): subjects n (%) of all screened subjects."""
    t = new_table("deviations", "screened")
    dv = sub.domain("DV")
    if dv is None:
        return missing_domain(t, "DV")
    if sub.domain("DM") is None:
        return missing_domain(t, "DM")
    members = pop.screened(sub)
    cols = t.columns = arm_columns(sub, members)
    _class_term(t, cols, members, dv, ("DVDECOD", "DVTERM"), "DVCAT", "DV 中无方案偏离记录。", "DV holds no deviation.")
    t.footnote("类别：DVCAT；偏离：DVDECOD，缺失时 DVTERM。组别为实际组别，从未给药者为计划组别。",
               "Category: DVCAT; deviation: DVDECOD, else DVTERM. Arm: actual, else planned for a subject never "
               "treated.")
    return t


def immunogenicity(sub: Submission) -> Table:
    """Per IS test and visit: subjects tested and subjects positive (ISSTRESC, else ISORRES, through the rules
    file's test_result vocabulary), n (% of the column's N)."""
    t = new_table("immunogenicity", "safety")
    ctx = _safety_domain(sub, t, "IS", "受试者", "the subjects")
    if ctx is None:
        return t
    is_, members, cols = ctx
    test = _text_col(is_, "ISTESTCD", "ISTEST")
    name = _text_col(is_, "ISTEST")
    visit = _text_col(is_, "VISIT")
    visitnum = to_number(col(is_, "VISITNUM"))
    result = _text_col(is_, "ISSTRESC", "ISORRES")
    cat = pd.Series(sub.vocab.test_result.classify(result.to_numpy(dtype=object)), index=is_.index, dtype=object)
    frame = pd.DataFrame({"u": col(is_, "USUBJID").to_numpy(dtype=object), "test": test, "name": name,
                          "visit": visit.fillna("—"), "num": visitnum, "res": result, "cat": cat})
    frame = frame[frame["u"].isin(members.index) & frame["test"].notna() & frame["res"].notna()]
    for tc, part in sorted(frame.groupby("test"), key=lambda kv: kv[0]):
        nm = part["name"].dropna()
        label = tc if nm.empty or nm.iloc[0].upper() == tc.upper() else f"{tc} — {nm.iloc[0]}"
        t.rows.append(Row(label, label, 0, {}, {"test": tc}))
        order = part.groupby("visit")["num"].median().sort_values(na_position="last", kind="stable")
        for v in order.index:
            pv = part[part["visit"] == v]
            t.rows.append(Row(f"{v}：检测", f"{v}: tested", 1, count_cells(cols, members, set(pv["u"])),
                              {"test": tc, "visit": v, "result": "tested"}))
            t.rows.append(Row(f"{v}：阳性", f"{v}: positive", 1,
                              count_cells(cols, members, set(pv.loc[pv["cat"] == "positive", "u"])),
                              {"test": tc, "visit": v, "result": "positive"}))
    unread = frame.loc[frame["cat"].isna(), "res"]
    if len(unread):
        t.footnote(f"{len(unread)} 条结果不属于阳性 / 阴性词表（如 {', '.join(sorted(set(unread))[:3])}），仅计入检测数。",
                   f"{len(unread)} results outside the positive / negative vocabulary (e.g. "
                   f"{', '.join(sorted(set(unread))[:3])}) count as tested only.")
    if not t.rows:
        nothing_found(t, "IS 中无可读的检测结果。", "IS holds no readable result.")
    t.footnote("阳性 / 阴性：ISSTRESC（缺失时 ISORRES）按规则文件中的检测结果词表判读；百分比以各列受试者数为分母。",
               "Positive / negative: ISSTRESC (else ISORRES) read through the rules file's test-result vocabulary; "
               "percentages of the column's N.")
    return t

