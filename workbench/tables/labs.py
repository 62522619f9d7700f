"""Laboratory, vital-sign and ECG tables (review-output.md "Laboratory conventions"): summaries by visit with the
change from baseline, shift from baseline to the worst post-baseline category, hepatic safety and the potential
Hy's law listing."""
from __future__ import annotations

import pandas as pd

from ..analyses.findings import RANK_CATEGORY, TOTAL as F_TOTAL, findings_records, key_dict, subject_tests, \
    visit_summary
from ..submission import Submission
from . import population as pop
from .format import TOTAL, arm_columns, count, count_rows, stats_to_rows
from .labels import CATEGORY_LABELS, missing_domain, missing_variable, new_table, nothing_found
from .listings import listing
from .table import Row, Table

CONVENTIONS = (
    "基线：--BLFL 标记的记录，否则首次给药当日或之前的最后一条记录；基线后：首次给药日期之后且非基线记录。仅已给药受试者。",
    "Baseline: the record flagged --BLFL, else the last record on or before the first dose; post-baseline: after "
    "the first dose date and not the baseline record. Dosed subjects only.")
BY_VISIT = ("按计划访视汇总（不含计划外访视），每例受试者每次访视取最后一条记录；结果为标准化结果（--STRESN）及其单位。",
            "Scheduled visits only (unscheduled visits left out); a subject's last record at each visit; standard "
            "results (--STRESN) in their standard unit.")


def _context(t: Table, sub: Submission, domain: str):
    if sub.domain(domain) is None:
        missing_domain(t, domain)
        return None
    members = pop.safety_or_note(sub, t)
    if members is None:
        return None
    if findings_records(sub, domain) is None:
        var = "USUBJID" if "USUBJID" not in sub.domain(domain).columns else f"{domain}TESTCD"
        missing_variable(t, domain, var, "检查结果", "results")
        return None
    t.columns = arm_columns(sub, members)
    return members, t.columns


def _summary(sub: Submission, domain: str, table_id: str) -> Table:
    t = new_table(table_id, "safety")
    ctx = _context(t, sub, domain)
    if ctx is None:
        return t
    members, cols = ctx
    r = findings_records(sub, domain)
    vs = visit_summary(sub, domain)
    for k, part in vs.groupby("KEY", sort=True):
        kd = key_dict(r.keys, k)
        label = str(r.keys.loc[k, "LABEL"])
        t.rows.append(Row(label, label, 0, {}, kd))
        for order, visit_rows in part.groupby("ORDER", sort=True):
            visit = visit_rows["VISIT"].iloc[0]
            zh, en = ("基线", "Baseline") if order < 0 else (str(visit), str(visit))
            vkey = {**kd, "visit": None if order < 0 else str(visit)}
            t.rows.append(Row(zh, en, 1, {}, vkey))
            stats = {(TOTAL if a == F_TOTAL else a): rec for a, rec in
                     zip(visit_rows["ARM"], visit_rows.to_dict("records"))}
            t.rows.extend(stats_to_rows(cols, stats, 2, key=vkey))
            if order >= 0:
                t.rows.extend(stats_to_rows(cols, stats, 2, ("相对基线变化：", "Change: "), {**vkey, "change": True},
                                            p="C_"))
    if not t.rows:
        nothing_found(t, "无可汇总的数值结果。", "No numeric results to summarise.")
    t.footnote(*CONVENTIONS)
    t.footnote(*BY_VISIT)
    return t


def lab_summary(sub: Submission) -> Table:
    return _summary(sub, "LB", "lab_summary")


def vitals_summary(sub: Submission) -> Table:
    return _summary(sub, "VS", "vitals_summary")


def ecg_summary(sub: Submission) -> Table:
    t = _summary(sub, "EG", "ecg_summary")
    t.footnote("仅汇总数值结果；文字结果（如心电图总体判读）不在本表。",
               "Numeric results only; text results (e.g. the overall ECG interpretation) are not summarised here.")
    return t


SHIFT_ORDER = ("LOW", "NORMAL", "HIGH")


def _cells(cols, by_arm: dict, total: int) -> dict:
    """n (%) per column from counts per arm and the total."""
    return {c.key: count(total if c.key == TOTAL else by_arm.get(c.key, 0), c.n) for c in cols}


def lab_shift(sub: Submission) -> Table:
    """Per test: baseline category × worst post-baseline category, subjects n (% of the column's N)."""
    t = new_table("lab_shift", "safety")
    ctx = _context(t, sub, "LB")
    if ctx is None:
        return t
    members, cols = ctx
    r = findings_records(sub, "LB")
    st = subject_tests(sub, "LB")
    st = st[(st["WORST_RANK"] > 0) & st["USUBJID"].isin(members.index)]
    arm = st["ARM"].astype(object).where(st["ARM"].notna(), "")
    frame = pd.DataFrame({"k": st["KEY"].to_numpy(), "b": st["BASE_RANK"].to_numpy(dtype=int),
                          "w": st["WORST_RANK"].to_numpy(dtype=int), "a": arm.to_numpy(dtype=object)})
    by_cell = frame.groupby(["k", "b", "w", "a"], sort=False).size().to_dict()    # counted once
    evaluable = frame.groupby(["k", "a"], sort=False).size().to_dict()
    arms = [c.key for c in cols if c.key != TOTAL]
    rank = {v: k for k, v in RANK_CATEGORY.items()}
    for k in sorted(frame["k"].unique()):
        kd = key_dict(r.keys, k)
        label = str(r.keys.loc[k, "LABEL"])
        ev = {a: evaluable.get((k, a), 0) for a in arms}
        t.rows.append(Row(label, label, 0, _cells(cols, ev, int((frame["k"] == k).sum())), {**kd, "evaluable": True}))
        in_k = frame[frame["k"] == k]
        b_cats = list(SHIFT_ORDER) + sorted({RANK_CATEGORY[x] for x in in_k["b"] if x > 0} - set(SHIFT_ORDER))
        w_cats = list(SHIFT_ORDER) + sorted({RANK_CATEGORY[x] for x in in_k["w"] if x > 0} - set(SHIFT_ORDER))
        if (in_k["b"] == 0).any():
            b_cats.append(None)
        for b in b_cats:
            for w in w_cats:
                bi, wi = (rank[b] if b is not None else 0), rank[w]
                per = {a: by_cell.get((k, bi, wi, a), 0) for a in arms}
                total = sum(v for (kk, bb, ww, _), v in by_cell.items() if (kk, bb, ww) == (k, bi, wi))
                if (b not in SHIFT_ORDER or w not in SHIFT_ORDER) and not total:
                    continue   # the 3 x 3 grid always; other combinations when they occur
                zh = f"{CATEGORY_LABELS[b][0]} → {CATEGORY_LABELS[w][0]}"
                en = f"{CATEGORY_LABELS[b][1]} → {CATEGORY_LABELS[w][1]}"
                t.rows.append(Row(zh, en, 1, _cells(cols, per, total), {**kd, "baseline": b, "worst": w}))
    if not t.rows:
        nothing_found(t, "无具有参考范围分类的结果。", "No results with a reference-range category.")
    t.footnote(*CONVENTIONS)
    t.footnote("分类：--NRIND（按规则文件中的参考范围指示词表），否则按标准化结果与参考范围判定；基线后最差：有偏高则偏高，否则有偏低则"
               "偏低，否则异常，否则正常。首行为基线后有分类的受试者数；百分比以各列受试者数为分母。",
               "Category: --NRIND (through the rules file's reference-range vocabulary), else from the standard result and its "
               "range; worst post-baseline: HIGH if any, else LOW, else ABNORMAL, else NORMAL. The first row of a test "
               "counts subjects with a post-baseline category; percentages of the column's N.")
    return t


HEPATIC_LABELS = (
    ("evaluable", "可评价（基线后有 ALT、AST 或总胆红素）", "Evaluable (post-baseline ALT, AST or total bilirubin)"),
    ("alt_3x", "ALT > 3×ULN", "ALT > 3×ULN"), ("ast_3x", "AST > 3×ULN", "AST > 3×ULN"),
    ("alt_or_ast_3x", "ALT 或 AST > 3×ULN", "ALT or AST > 3×ULN"),
    ("bili_2x", "总胆红素 > 2×ULN", "Total bilirubin > 2×ULN"),
    ("hys_law", "潜在 Hy's law（ALT 或 AST > 3×ULN 且总胆红素 > 2×ULN）",
     "Potential Hy's law (ALT or AST > 3×ULN and total bilirubin > 2×ULN)"),
)
HEPATIC_FOOTNOTE = ("峰值为基线后各记录标准化结果除以该记录 LBSTNRHI（ULN）的最大值；两项峰值不要求同时出现（eDISH 右上象限）。",
                    "Peak: the largest post-baseline standard result divided by the record's LBSTNRHI (ULN); the two "
                    "peaks need not be concurrent (the eDISH upper-right quadrant).")


def _hepatic_context(t: Table, sub: Submission):
    from ..analyses.labs import liver_keys

    ctx = _context(t, sub, "LB")
    if ctx is None:
        return None
    keys = liver_keys(sub)
    if not (keys["alt"] or keys["ast"] or keys["bili"]):
        t.note_zh = "LB 中无 ALT、AST 或总胆红素（按 LBTESTCD 或 LBTEST，见规则文件中的肝功能检查词表）。"
        t.note_en = "LB holds no ALT, AST or total bilirubin (by LBTESTCD or LBTEST; see the rules file's liver-test vocabulary)."
        t.reason_code = "no_liver_tests"
        return None
    return ctx


def hepatic(sub: Submission) -> Table:
    from ..analyses.labs import hepatic_subjects

    t = new_table("hepatic", "safety")
    ctx = _hepatic_context(t, sub)
    if ctx is not None:
        members, cols = ctx
        h = hepatic_subjects(sub)
        t.rows += count_rows(cols, members, [
            (zh, en, set(h["USUBJID"] if key == "evaluable" else h.loc[h[key.upper()].astype(bool), "USUBJID"]),
             {"criterion": key}) for key, zh, en in HEPATIC_LABELS])
        t.footnote(*HEPATIC_FOOTNOTE)
        t.footnote("百分比以各列已给药受试者数为分母。受试者编号见 review.json analyses.labs.hepatic。",
                   "Percentages of the column's dosed subjects. Subject ids in review.json analyses.labs.hepatic.")
    return t


def hys_law_listing(sub: Submission) -> Table:
    from ..analyses.labs import hepatic_subjects

    t = new_table("hys_law_listing", "safety", kind="listing")
    if _hepatic_context(t, sub) is None:
        return t
    t.columns = []
    h = hepatic_subjects(sub)
    h = h[h["HYS_LAW"].astype(bool)]
    order = {a: i for i, a in enumerate(sub.study.arms["ARM"])}
    h = h.assign(_o=h["ARM"].map(lambda a: order.get(a, len(order)))).sort_values(["_o", "USUBJID"])
    recs = [{"usubjid": r["USUBJID"], "arm": r["ARM"],
             **{f: (None if pd.isna(r[c]) else f"{r[c]:.2f}") for f, c in (("alt_x", "ALT_X"), ("ast_x", "AST_X"),
                                                                          ("bili_x", "BILI_X"), ("alp_x", "ALP_X"))}}
            for r in h.to_dict("records")]
    out = listing("hys_law_listing", "safety", ("usubjid", "arm", "alt_x", "ast_x", "bili_x", "alp_x"), recs)
    if out.empty:
        nothing_found(out, "无受试者符合潜在 Hy's law 标准。", "No subject meets the potential Hy's law criteria.")
    out.footnote(*HEPATIC_FOOTNOTE)
    out.footnote("ALP 峰值仅供参考（胆汁淤积的鉴别），不属于本筛查标准。",
                 "Peak ALP is shown for information (to tell cholestasis apart); it is not part of this screen.")
    return out
