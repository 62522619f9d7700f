"""Subject-level tables: disposition, demographics and baseline characteristics, exposure."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import coded, norm_uniques
from ..submission import Submission
from ..text import is_missing, listing
from . import population as pop
from .format import TOTAL, arm_columns, count_cells, n_cells, number, sci, stat_rows, text, unknown_cells
from .labels import missing_domain, new_table
from .table import Row, Table

AGE_GROUPS = ((None, 18, "<18"), (18, 65, "18–64"), (65, 75, "65–74"), (75, 85, "75–84"), (85, None, "≥85"))


def _raw_decodes(sub: Submission) -> dict:
    """Normalised DSDECOD -> its spelling in the data (the disposition model compares normalised values)."""
    c = coded(sub, "DS", "DSDECOD")
    out: dict = {}
    for raw, n in zip(c.uniques, norm_uniques(sub, "DS", "DSDECOD")):
        if n is not None:
            out.setdefault(n, str(raw).strip())
    return out


def disposition(sub: Submission) -> Table:
    """Screened, screen failures, enrolled, dosed, completed, discontinued by reason (DS disposition events),
    deaths; by the arm allocated (actual, else planned); screen failures in Total only."""
    t = new_table("disposition", "screened")
    subj = sub.study.subjects
    if subj.empty:
        return missing_domain(t, "DM")
    members = pop.screened(sub)
    cols = arm_columns(sub, members)
    t.columns = cols

    def row(zh, en, mask, level=0, key=None, known=True):
        cells = count_cells(cols, members, mask.to_numpy(dtype=bool)) if known else unknown_cells(cols)
        t.rows.append(Row(zh, en, level, cells, key))

    model = sub.study
    has_ds = sub.domain("DS") is not None
    row("筛选", "Screened", pd.Series(True, index=subj.index), key={"status": "screened"})
    row("筛选失败", "Screen failures", subj["SCREEN_FAIL"], key={"status": "screen_failure"})
    row("入组 / 随机", "Enrolled / randomised", subj["ENROLLED"], key={"status": "enrolled"})
    row("已给药", "Dosed", subj["DOSED"], key={"status": "dosed"}, known=model.dosing_known)
    row("完成研究", "Completed", subj["COMPLETED"], key={"status": "completed"}, known=has_ds)
    row("提前退出", "Discontinued", subj["DISCONTINUED"], key={"status": "discontinued"}, known=has_ds)
    if has_ds:
        raw = _raw_decodes(sub)
        disc = subj[subj["DISCONTINUED"].astype(bool)]
        reasons = disc["DISPOSITION"].astype(object).where(disc["DISPOSITION"].notna(), None)
        for reason, n in reasons.value_counts(dropna=False).sort_index().sort_values(ascending=False,
                                                                                     kind="stable").items():
            label = raw.get(reason, reason) if reason is not None else None
            mask = subj["DISCONTINUED"].astype(bool) & (subj["DISPOSITION"].astype(object) == reason) if \
                reason is not None else subj["DISCONTINUED"].astype(bool) & subj["DISPOSITION"].isna()
            row(label or "（原因缺失）", label or "(reason missing)", mask, 1, {"status": "discontinued",
                                                                              "reason": label})
        open_ = subj["ENROLLED"].astype(bool) & ~subj["COMPLETED"].astype(bool) & ~subj["DISCONTINUED"].astype(bool)
        if open_.any():
            row("进行中或无处置记录", "Ongoing or no disposition event", open_, key={"status": "ongoing"})
    row("死亡（任何来源）", "Died (any source)", subj["DIED"], key={"status": "died"})
    t.footnote("百分比以各列受试者数为分母。组别为实际组别，从未给药者为计划组别；筛选失败者仅计入合计。",
               "Percentages of the column's N. Arm: actual arm, else the planned arm for a subject never treated; "
               "screen failures count in Total only.")
    t.footnote("完成 / 退出：DS 处置事件（DSCAT DISPOSITION EVENT），退出原因为最后一条处置事件的 DSDECOD。",
               "Completed / discontinued: DS disposition events (DSCAT DISPOSITION EVENT); the reason is the DSDECOD "
               "of the subject's last disposition event.")
    if not has_ds:   # the table is not empty: the rows that need DS are unknown
        t.footnote("缺少 DS 数据集：完成 / 退出未知。", "DS is missing: completion and discontinuation are unknown.")
    return t


def _category_rows(t: Table, cols, members: pd.Series, values: pd.Series, title: tuple[str, str], key: str) -> None:
    v = values.reindex(members.index)
    v = v.astype(object).where(v.notna(), None).map(lambda x: None if is_missing(x) or str(x).strip() == ""
                                                     else str(x).strip())
    t.rows.append(Row(title[0], title[1], 0, {}, {"characteristic": key}))
    counts = v.value_counts(dropna=True)
    for value in sorted(counts.index, key=lambda x: (-counts[x], x)):
        t.rows.append(Row(value, value, 1, count_cells(cols, members, (v == value).to_numpy()),
                          {"characteristic": key, "value": value}))
    if v.isna().any():
        t.rows.append(Row("缺失", "Missing", 1, count_cells(cols, members, v.isna().to_numpy()),
                          {"characteristic": key, "value": None}))


def _baseline_measure(sub: Submission, which: str) -> tuple[pd.Series, str | None]:
    """Baseline value (laboratory conventions) of a VS body measure per dosed subject, and its unit."""
    from ..analyses.findings import findings_records, subject_tests

    r = findings_records(sub, "VS")
    if r is None:
        return pd.Series(dtype=float), None
    vocab = sub.vocab.body_measure
    keys = [int(k.KEY) for k in r.keys.itertuples() if (vocab.category(k.TESTCD) or vocab.category(k.TEST)) == which]
    st = subject_tests(sub, "VS")
    st = st[st["KEY"].isin(keys) & st["BASE"].notna()]
    if st.empty:
        return pd.Series(dtype=float), None
    best = st.groupby("KEY").size().idxmax()   # the key (unit) with the most subjects
    st = st[st["KEY"] == best]
    return pd.Series(st["BASE"].to_numpy(dtype=float), index=pd.Index(st["USUBJID"], dtype=object)), \
        r.keys.loc[best, "STRESU"]


def demographics(sub: Submission) -> Table:
    """N, age (n, mean (SD), median, min–max; groups), sex, race, ethnicity, baseline weight and height (VS),
    over the safety population (the enrolled subjects when dosing is unknown)."""
    t = new_table("demographics", "safety")
    subj = sub.study.subjects
    if subj.empty:
        return missing_domain(t, "DM")
    if sub.study.dosing_known:
        members = pop.safety(sub)
    else:
        members = pop.enrolled(sub)
        t.population = "enrolled"
        t.footnote("缺少 EX 数据集：安全性分析集未知，本表为全部入组受试者。",
                   "EX is missing: the safety population is unknown; this table counts all enrolled subjects.")
    cols = arm_columns(sub, members)
    t.columns = cols
    t.rows.append(Row("受试者数", "N", 0, n_cells(cols), {"characteristic": "n"}))
    age = subj["AGE_Y"].reindex(members.index)
    t.rows.append(Row("年龄（岁）", "Age (years)", 0, {}, {"characteristic": "age"}))
    t.rows.extend(stat_rows(cols, members, age, 1, key={"characteristic": "age"}))
    t.rows.append(Row("年龄分组（岁）", "Age group (years)", 0, {}, {"characteristic": "age_group"}))
    a = age.to_numpy(dtype=float)
    for lo, hi, label in AGE_GROUPS:
        with np.errstate(invalid="ignore"):
            mask = (a >= (lo if lo is not None else -np.inf)) & (a < (hi if hi is not None else np.inf))
        if lo is None and not mask.any():
            continue
        t.rows.append(Row(label, label, 1, count_cells(cols, members, mask), {"characteristic": "age_group",
                                                                               "value": label}))
    if np.isnan(a).any():
        t.rows.append(Row("缺失", "Missing", 1, count_cells(cols, members, np.isnan(a)),
                          {"characteristic": "age_group", "value": None}))
    for var, zh, en in (("SEX", "性别", "Sex"), ("RACE", "种族", "Race"), ("ETHNIC", "民族", "Ethnicity")):
        if sub.domain("DM") is not None and var in sub.domain("DM").columns:
            _category_rows(t, cols, members, subj[var], (zh, en), var.lower())
    for which, zh, en in (("weight", "基线体重", "Baseline weight"), ("height", "基线身高", "Baseline height")):
        values, unit = _baseline_measure(sub, which)
        if len(values):
            u = f" ({unit})" if unit else ""
            t.rows.append(Row(zh + u, en + u, 0, {}, {"characteristic": which, "unit": unit}))
            t.rows.extend(stat_rows(cols, members, values, 1, key={"characteristic": which}))
    t.footnote("年龄按 AGEU 换算为岁。基线体重、身高：VSBLFL 标记的记录，否则首次给药当日或之前的最后一条记录。",
               "Age converted to years through AGEU. Baseline weight and height: the VSBLFL record, else the last "
               "record on or before the first dose.")
    return t


def exposure(sub: Submission) -> Table:
    """Per arm: subjects dosed, administrations (total and per subject), dose, total cells, duration, lots."""
    from ..analyses.exposure import exposure_analysis
    t = new_table("exposure", "safety")
    members = pop.safety_or_note(sub, t)
    if members is None:
        return t
    model = sub.study
    cols = arm_columns(sub, members)
    t.columns = cols
    ex = model.exposure
    ex = ex[ex["USUBJID"].isin(members.index)]
    given = ex[(ex["DOSE_RAW"].fillna(0) > 0).to_numpy() | ex["CONTROL"].to_numpy(dtype=bool)]
    per_subject = given.groupby("USUBJID").size()
    per_subject = per_subject.reindex(members.index).fillna(0)
    t.rows.append(Row("给药受试者数", "Subjects dosed", 0, n_cells(cols), {"item": "dosed"}))
    t.rows.append(Row("给药次数（合计）", "Administrations (total)", 0,
                      _sum_cells(cols, members, per_subject), {"item": "administrations"}))
    t.rows.append(Row("每例受试者给药次数", "Administrations per subject", 0, {}, {"item": "administrations_per_subject"}))
    t.rows.extend(stat_rows(cols, members, per_subject, 1, key={"item": "administrations_per_subject"}))
    arms = model.arms.set_index("ARM")
    dose = {c.key: text(_dose_text(arms.loc[c.key, "DOSE"], arms.loc[c.key, "DOSE_UNIT"]) if c.key in arms.index
                        else "—") for c in cols if c.key != TOTAL}
    dose[TOTAL] = text("—")
    t.rows.append(Row("剂量（每次给药）", "Dose per administration", 0, dose, {"item": "dose"}))
    res = exposure_analysis(sub)
    totals = {r["ARM"]: (r["TOTAL_CELLS"], r["TOTAL_CELLS_COMPLETE"]) for r in res.arms.to_dict("records")}
    if any(v[0] is not None for v in totals.values()):
        cells = {c.key: text(sci(totals[c.key][0], "cells") if totals.get(c.key, (None,))[0] is not None else "—")
                 for c in cols if c.key != TOTAL}
        known = [v[0] for v in totals.values() if v[0] is not None]
        cells[TOTAL] = text(sci(sum(known), "cells"))
        for c in cols:
            v = totals.get(c.key, (None,))[0] if c.key != TOTAL else sum(known)
            cells[c.key]["values"] = [None if v is None else float(v)]
        t.rows.append(Row("输注细胞总数", "Total cells administered", 0, cells, {"item": "total_cells"}))
        if not all(v[1] for v in totals.values() if v[0] is not None):
            t.footnote("部分给药记录的细胞总数无法推算（cells/kg 且无体重），总数为可推算部分之和。",
                       "Some administrations' cells could not be derived (cells/kg without a body weight): totals "
                       "add the derivable ones.")
    subj = model.subjects.reindex(members.index)
    duration = subj["LAST_DOSE_LO"] - subj["FIRST_LO"] + 1
    t.rows.append(Row("给药持续时间（天）", "Duration of exposure (days)", 0, {}, {"item": "duration"}))
    t.rows.extend(stat_rows(cols, members, duration, 1, key={"item": "duration"}))
    lots = {}
    if "EXLOT" in given.columns:
        for key, part in [(c.key, given if c.key == TOTAL else given[given["ARM"] == c.key]) for c in cols]:
            names = sorted({str(v).strip() for v in part["EXLOT"].dropna() if str(v).strip()})
            lots[key] = {"n": len(names), "pct": None,
                         "text": f"{len(names)}" + (f" ({listing(names, 5)})" if names else "")}
        t.rows.append(Row("使用批次数", "Lots used", 0, lots, {"item": "lots"}))
    t.footnote("给药：EXDOSE > 0 的 EX 记录，对照组的全部 EX 记录。持续时间 = 末次给药 − 首次给药 + 1 天。",
               "Administrations: EX records with EXDOSE > 0, and every EX record of a control arm. Duration = last "
               "dose − first dose + 1 day.")
    return t


def _sum_cells(cols, members: pd.Series, values: pd.Series) -> dict:
    arm = members.reindex(values.index)
    out = {}
    for c in cols:
        v = values if c.key == TOTAL else values[(arm == c.key).to_numpy()]
        out[c.key] = number(int(v.sum()))
    return out


def _dose_text(dose, unit) -> str:
    from ..figures._common import fmt_dose

    unit = unit if isinstance(unit, str) and unit.strip() else None
    if dose == 0:
        return f"0 {unit}" if unit else "0"
    return fmt_dose(None if dose is None or dose != dose else float(dose), unit)
