"""Adverse-event tables over the safety population: overview, TEAE by SOC/PT (all, related, leading to
discontinuation, special interest), subjects by maximum grade. Subjects, never events, are counted."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import coded
from ..memo import memo
from ..submission import Submission
from . import population as pop
from .format import TOTAL, arm_columns, count, count_cells, count_rows, n_cells, unknown_cells
from .labels import missing_domain, missing_variable, new_table, nothing_found
from .table import Row, Table

OVERVIEW_ROWS = (   # key, 中文, English, TEAE condition
    ("any_teae", "≥1 例 TEAE 的受试者", "Subjects with ≥1 TEAE", lambda ae: np.ones(len(ae), dtype=bool)),
    ("related_teae", "相关 TEAE", "Related TEAE", lambda ae: ae["RELATED"].to_numpy(dtype=bool)),
    ("grade3plus", "≥3 级 TEAE", "TEAE grade ≥ 3", lambda ae: (ae["GRADE"] >= 3).to_numpy(dtype=bool)),
    ("serious", "严重 TEAE", "Serious TEAE", lambda ae: ae["SERIOUS"].to_numpy(dtype=bool)),
    ("related_serious", "相关严重 TEAE", "Related serious TEAE",
     lambda ae: (ae["SERIOUS"] & ae["RELATED"]).to_numpy(dtype=bool)),
    ("fatal", "致死性 TEAE", "Fatal TEAE", lambda ae: ae["FATAL"].to_numpy(dtype=bool)),
    ("aesi", "特别关注的 TEAE", "TEAE of special interest", lambda ae: ae["AESI"].to_numpy(dtype=bool)),
)
TEAE_FOOTNOTE = ("TEAE：已给药受试者首次给药当日或之后发生的不良事件（部分日期无法判定时计为 TEAE）。受试者在每行至多计一次。",
                 "TEAE: adverse event of a dosed subject starting on or after the first dose (undecidable partial "
                 "dates count as treatment-emergent). A subject counts once per row.")


@memo
def teae(sub: Submission) -> pd.DataFrame:
    """TEAE records with SOC / PT filled (``(uncoded)`` when blank), as the safety analysis reads them."""
    from ..analyses.safety import _teae

    return _teae(sub)


def _context(t: Table, sub: Submission, need_ae: bool = True):
    """(members, columns) of the safety population, or None with the table's note (no DM / EX / AE)."""
    members = pop.safety_or_note(sub, t)
    if members is None:
        return None
    t.columns = arm_columns(sub, members)
    if need_ae and not sub.study.ae_known:
        missing_domain(t, "AE")
        return None
    return members, t.columns


def ae_overview(sub: Submission) -> Table:
    t = new_table("ae_overview", "safety")
    ctx = _context(t, sub, need_ae=False)
    if ctx is None:
        return t
    members, cols = ctx
    t.rows.append(Row("已给药受试者", "Subjects dosed", 0, n_cells(cols), {"item": "dosed"}))
    known = sub.study.ae_known
    te = teae(sub)
    for key, zh, en, cond in OVERVIEW_ROWS:
        cells = count_cells(cols, members, set(te.loc[cond(te), "USUBJID"])) if known and len(te) else \
            (count_cells(cols, members, set()) if known else unknown_cells(cols))
        t.rows.append(Row(zh, en, 1, cells, {"item": key}))
    t.footnotes_zh.append(TEAE_FOOTNOTE[0])
    t.footnotes_en.append(TEAE_FOOTNOTE[1])
    t.footnote("相关：AEREL 属于因果关系词表的“相关”类，空白或无法识别者按相关计。严重：AESER 为是或任一严重性标准为是。",
               "Related: AEREL in the causality vocabulary's related values; blank or unrecognised counts as "
               "related. Serious: AESER yes or any seriousness criterion yes.")
    if not known:
        t.footnote("缺少 AE 数据集：不良事件未知（不显示为 0）。", "AE is missing: adverse events are unknown (not shown as 0).")
    return t


def soc_pt_rows(sub: Submission, cols, members: pd.Series, records: pd.DataFrame) -> list[Row]:
    """SOC rows (level 0) then their PT rows (level 1), subjects n (%), sorted by Total descending, then name."""
    from ..analyses._common import arm_table
    from ..analyses.safety import by_soc_pt

    table = by_soc_pt(arm_table(sub), records, members)
    rows = []
    by_col = {c.key: c for c in cols}
    for r in table.to_dict("records"):
        cells = {TOTAL: count(r["N"], by_col[TOTAL].n)}
        for c in cols:
            if c.key != TOTAL:
                cells[c.key] = count(r.get(f"N_{c.key}", 0), c.n)
        if r["LEVEL"] == "soc":
            rows.append(Row(str(r["SOC"]), str(r["SOC"]), 0, cells, {"soc": r["SOC"]}))
        else:
            rows.append(Row(str(r["PT"]), str(r["PT"]), 1, cells, {"soc": r["SOC"], "pt": r["PT"]}))
    return rows


def _soc_pt_table(sub: Submission, table_id: str, select, empty_zh: str, empty_en: str) -> Table:
    t = new_table(table_id, "safety")
    ctx = _context(t, sub)
    if ctx is None:
        return t
    members, cols = ctx
    te = teae(sub)
    records = te[select(sub, te)] if len(te) else te
    t.rows = soc_pt_rows(sub, cols, members, records) if len(records) else []
    if not t.rows:
        nothing_found(t, empty_zh, empty_en)
    t.footnotes_zh.append(TEAE_FOOTNOTE[0])
    t.footnotes_en.append(TEAE_FOOTNOTE[1])
    t.footnote("系统器官分类为 AEBODSYS，首选术语为 AEDECOD（缺失时显示为“(uncoded)”）。",
               "SOC: AEBODSYS; PT: AEDECOD ('(uncoded)' when blank).")
    return t


def ae_soc_pt(sub: Submission) -> Table:
    return _soc_pt_table(sub, "ae_soc_pt", lambda s, te: np.ones(len(te), dtype=bool),
                         "无治疗期不良事件（TEAE）。", "No treatment-emergent adverse events.")


def ae_related_soc_pt(sub: Submission) -> Table:
    t = _soc_pt_table(sub, "ae_related_soc_pt", lambda s, te: te["RELATED"].to_numpy(dtype=bool),
                      "无相关 TEAE。", "No related TEAE.")
    t.footnote("相关：AEREL 属于因果关系词表的“相关”类；空白或无法识别者按相关计（保守）。",
               "Related: AEREL in the causality vocabulary's related values; blank or unrecognised counts as related "
               "(conservative).")
    return t


def _withdrawn(sub: Submission, te: pd.DataFrame) -> np.ndarray:
    c = coded(sub, "AE", "AEACN")
    mask = c.mask(sub.vocab.action_taken.classify(c.uniques) == "drug_withdrawn")
    ae = sub.domain("AE")
    pos = ae.index.get_indexer(te.index)
    return mask[pos]


def ae_leading_to_discontinuation(sub: Submission) -> Table:
    ae = sub.domain("AE")
    if ae is not None and not coded(sub, "AE", "AEACN").present.any():   # not collected: unknown, not "none"
        t = new_table("ae_leading_to_discontinuation", "safety")
        if _context(t, sub) is None:
            return t
        missing_variable(t, "AE", "AEACN", "导致停药的不良事件", "adverse events leading to discontinuation")
        if "AEACN" in ae.columns:
            t.note_zh = "AE 的 AEACN 在全部记录中均为空：导致停药的不良事件未知。"
            t.note_en = "AE.AEACN is blank on every record: adverse events leading to discontinuation unknown."
        return t
    t = _soc_pt_table(sub, "ae_leading_to_discontinuation", _withdrawn, "无导致停药的 TEAE。",
                      "No TEAE led to discontinuation of study treatment.")
    t.footnote("导致停药：AEACN 属于规则文件中“采取措施”词表的“停药”类（如 DRUG WITHDRAWN、永久停药）。",
               "Leading to discontinuation: AEACN among the rules file's drug-withdrawn actions (e.g. DRUG "
               "WITHDRAWN, 永久停药).")
    return t


def aesi_soc_pt(sub: Submission) -> Table:
    t = _soc_pt_table(sub, "aesi_soc_pt", lambda s, te: te["AESI"].to_numpy(dtype=bool),
                      "无特别关注的 TEAE。", "No TEAE of special interest.")
    t.footnote("特别关注：肿瘤 SOC、提及肿瘤 / 畸胎瘤 / 异位组织或移植物抗宿主病 / 排斥 / 输注反应等的术语，及 submission.yaml "
               "中声明的特别关注术语。", "Special interest: the neoplasm SOC, terms mentioning tumour, teratoma, ectopic tissue, "
               "graft-versus-host disease, rejection, infusion reaction, and the AESI terms declared in submission.yaml.")
    return t


def ae_max_grade(sub: Submission) -> Table:
    """Subjects by their maximum TEAE grade (1–5), grade unknown, and no TEAE."""
    t = new_table("ae_max_grade", "safety")
    ctx = _context(t, sub)
    if ctx is None:
        return t
    members, cols = ctx
    te = teae(sub)
    te = te[te["USUBJID"].isin(members.index)] if len(te) else te
    worst = te.groupby("USUBJID")["GRADE"].max() if len(te) else pd.Series(dtype=float)
    with_teae = set(te["USUBJID"]) if len(te) else set()
    groups = [(f"{g} 级", f"Grade {g}", set(worst.index[worst == g]), {"grade": g}) for g in (1, 2, 3, 4, 5)]
    unknown = with_teae - set(worst.index[worst.notna()])
    if unknown:
        groups.append(("分级未知", "Grade unknown", unknown, {"grade": None}))
    groups.append(("无 TEAE", "No TEAE", set(members.index) - with_teae, {"grade": "none"}))
    t.rows += count_rows(cols, members, groups)
    t.footnotes_zh.append(TEAE_FOOTNOTE[0])
    t.footnotes_en.append(TEAE_FOOTNOTE[1])
    t.footnote("分级：AETOXGR；无 AETOXGR 时 AESEV 轻度 / 中度 / 重度记为 1 / 2 / 3 级。每例受试者按其最高分级计一次。",
               "Grade: AETOXGR; without it AESEV mild / moderate / severe as 1 / 2 / 3. Each subject counts once, at "
               "the maximum grade.")
    return t
