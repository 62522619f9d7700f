"""Administration method (G-4.1.2, G-4.1.1, G-2.2.2, G-2.2.2b, G-2.1.4a): ADM-001 .. ADM-007."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..findings import Element
from ..units import to_number
from .helpers import (
    MAX_PER_COLUMN,
    col,
    day_text,
    examples,
    listing,
    need,
    need_dm,
    num,
    pct,
    present,
    rec_key,
    required_fields,
)
from .registry import NotApplicable, check

A = Element.ADMINISTRATION
DOSE_TOLERANCE = 0.10  # ADM-002: actual dose may differ from the declared arm dose by at most 10 %


def _not_fih(sub) -> NotApplicable | None:
    if sub.m.study.first_in_human:
        return None
    why = "" if sub.manifest is not None else " (no submission.yaml)"
    return NotApplicable(f"not a first-in-human study{why}", f"非首次人体试验{'（无 submission.yaml）' if why else ''}")


def _active_records(sub) -> pd.DataFrame:
    """EX records of the study model (CONTROL: the subject's arm is a control arm) with ZERO (EXDOSE = 0)."""
    ex = sub.study.exposure
    return ex.assign(ZERO=ex["DOSE_RAW"].eq(0).to_numpy(dtype=bool))


@check("ADM-001", A, "critical", "G-4.1.2", "Exposure (EX) recorded for every treated subject",
       "每名接受治疗的受试者均有给药（EX）记录")
def exposure_present(sub, out):
    """EX missing; or a subject with an actual arm (not screen failure / not treated) has no EX record."""
    ex = sub.domain("EX")
    if ex is None:
        out.add("critical", "EX (exposure) is missing: administration of the product cannot be shown",
                "缺少 EX（给药）数据集：无法证明产品给药情况", domain="EX")
        return None
    if "USUBJID" not in ex.columns:
        out.add("critical", "EX has no USUBJID variable: administrations cannot be attributed to subjects",
                "EX 缺少 USUBJID 变量：给药记录无法对应到受试者", domain="EX")
        return None
    dm = sub.domain("DM")
    if dm is None or "USUBJID" not in dm.columns:
        return None
    var = "ACTARMCD" if "ACTARMCD" in dm.columns else "ARMCD"
    subj = sub.study.subjects
    no_ex = subj[subj["ARM"].notna().to_numpy(dtype=bool) & ~subj.index.isin(set(ex["USUBJID"].dropna()))]
    if len(no_ex) > MAX_PER_COLUMN:
        shown = listing(no_ex.index, 6)
        out.add("critical", f"{len(no_ex)} subjects with an actual arm (DM.{var}) have no EX record ({shown})",
                f"{len(no_ex)} 名有实际组别（DM.{var}）的受试者无 EX 给药记录（{listing(no_ex.index, 6, sep='、')}）",
                domain="EX")
        return None
    for u, arm in zip(no_ex.index, no_ex["ARM"], strict=True):
        out.add("critical", f"Subject {u} is in arm {arm} (DM.{var}) but has no EX record",
                f"受试者 {u} 属于组别 {arm}（DM.{var}），但无 EX 给药记录", domain="EX", usubjid=u)
    return None


@check("ADM-002", A, "major", "G-4.1.2", "Dose, unit, route and date recorded and consistent with the arm",
       "剂量、单位、途径和日期完整且与组别一致")
def dose_recorded(sub, out):
    """EXDOSE, EXDOSU, EXROUTE or EXSTDTC missing; dose not positive; unit not convertible; dose >10% off the arm dose."""
    if (na := need(sub, "EX", "ADM-001")) is not None:
        return na
    ex = _active_records(sub)
    required_fields(out, "major", ex, "EX", ("EXDOSE", "EXDOSU", "EXROUTE", "EXSTDTC"), label="EXTRT",
                    what_en="administration", what_zh="给药记录")
    active = ~ex["CONTROL"].to_numpy(dtype=bool)
    dose_raw = col(ex, "EXDOSE")
    dose = ex["DOSE_RAW"]
    has_dose = present(dose_raw).to_numpy(dtype=bool)
    bad_dose = active & has_dose & ~(dose > 0).to_numpy()
    unit = col(ex, "EXDOSU")
    bad_unit = active & present(unit).to_numpy(dtype=bool) & has_dose & ~ex["CONVERTIBLE"].to_numpy(dtype=bool) \
        & ~ex["ZERO"].to_numpy(dtype=bool)
    if bad_unit.any():   # one defect of the dataset: one finding with the count, the units and examples
        units = sorted({str(u) for u in unit[bad_unit].dropna()})
        keys = rec_key(ex, "EX", bad_unit)
        ex_en, ex_zh = examples(keys, col(ex, "USUBJID")[bad_unit])
        out.add("minor", f"EX: dose unit {', '.join(units)} cannot be converted to cells or cells/kg on "
                         f"{int(bad_unit.sum())} administration(s); doses are compared in the unit recorded (e.g. {ex_en})",
                f"EX：{int(bad_unit.sum())} 条给药记录的剂量单位 {'、'.join(units)} 无法换算为 cells 或 cells/kg；"
                f"剂量按记录单位比较（例如 {ex_zh}）", domain="EX", record=f"EXDOSU={units[0]}")
    arms = sub.study.arms
    arms = arms[arms["IN_MANIFEST"] & ~arms["CONTROL"] & arms["DOSE"].notna()] if len(arms) else arms
    arm_dose = ex["ARM"].map(dict(zip(arms["ARM"], arms["DOSE"].astype(float), strict=True))).astype(float) \
        if len(arms) else pd.Series(np.nan, index=ex.index)   # float even when EX has no rows
    arm_unit = ex["ARM"].map(dict(zip(arms["ARM"], arms["DOSE_UNIT"], strict=True))) if len(arms) else \
        pd.Series(None, index=ex.index, dtype=object)
    comparable = active & (ex["DOSE_N"] > 0).to_numpy() & arm_dose.notna().to_numpy() & (arm_dose > 0).to_numpy() \
        & (ex["DOSE_UNIT_N"] == arm_unit).to_numpy()
    rel = (ex["DOSE_N"] - arm_dose) / arm_dose
    off = comparable & (rel.abs() > DOSE_TOLERANCE + 1e-9).to_numpy()
    bad = bad_dose | off
    if not bad.any():
        return None
    keys = rec_key(ex, "EX", bad)
    if bad.sum() > MAX_PER_COLUMN:
        ex_en, ex_zh = examples(keys, col(ex, "USUBJID")[bad])
        out.add("major", f"EX: {int(bad_dose.sum())} administration(s) with a dose that is not a positive number and "
                         f"{int(off.sum())} differing from the arm dose of submission.yaml by more than "
                         f"{DOSE_TOLERANCE:.0%} (e.g. {ex_en})",
                f"EX：{int(bad_dose.sum())} 条给药记录剂量不是正数，{int(off.sum())} 条与 submission.yaml 组别剂量相差超过 "
                f"{DOSE_TOLERANCE:.0%}（例如 {ex_zh}）", domain="EX")
        return None
    for i in ex.index[bad]:
        u, k = ex.at[i, "USUBJID"] if "USUBJID" in ex.columns else None, keys.at[i]
        en, zh = [], []
        pos = ex.index.get_loc(i)
        if bad_dose[pos]:
            en.append(f"dose {dose_raw.at[i]} is not a positive number")
            zh.append(f"剂量 {dose_raw.at[i]} 不是正数")
        if off[pos]:
            d, a, un = ex.at[i, "DOSE_N"], arm_dose.at[i], arm_unit.at[i]
            en.append(f"dose {num(d)} {un} differs from the arm {ex.at[i, 'ARM']} dose in submission.yaml "
                      f"({num(a)} {un}) by {rel.at[i]:+.0%}")
            zh.append(f"剂量 {num(d)} {un} 与 submission.yaml 中组别 {ex.at[i, 'ARM']} 的剂量（{num(a)} {un}）相差 {rel.at[i]:+.0%}")
        out.add("major", f"Subject {u}, EX {k}: " + "; ".join(en), f"受试者 {u}，EX {k}：" + "；".join(zh),
                domain="EX", usubjid=u, record=k)
    return None


@check("ADM-003", A, "major", "G-4.1.1, G-4.1.2", "Product lot recorded for every administration",
       "每次给药均记录产品批号")
def lot_recorded(sub, out):
    """EXLOT missing for an administration (comparator and zero-dose records excluded)."""
    if (na := need(sub, "EX", "ADM-001")) is not None:
        return na
    ex = _active_records(sub)
    required_fields(out, "major", ex, "EX", ("EXLOT",), rows=~ex["CONTROL"] & ~ex["ZERO"], label="EXTRT",
                    what_en="administration", what_zh="给药记录")
    return None


@check("ADM-004", A, "major / info", "G-2.2.2b", "Sentinel (staggered) dosing respected in first-in-human cohorts",
       "首次人体试验各队列遵循哨兵（间隔）给药")
def sentinel_dosing(sub, out):
    """FIH: in a cohort, the 2nd subject dosed less than sentinel_interval_days after the 1st (major); no interval and same day (info)."""
    if (na := _not_fih(sub)) is not None:
        return na
    if (na := need(sub, "EX", "ADM-001")) is not None:
        return na
    fd = sub.study.first_dose
    subj = sub.study.subjects
    if fd.empty or subj.empty:
        return None
    f = fd.join(subj[["ARM"]], how="left")
    f = f[f["ARM"].notna() & ~f["ARM"].isin(sub.study.control_arms) & f["FIRST_LO"].notna()]
    f = f.rename_axis("USUBJID").reset_index().sort_values(["ARM", "FIRST_LO", "USUBJID"])
    f["RANK"] = f.groupby("ARM").cumcount()
    first = f[f["RANK"] == 0].set_index("ARM")
    second = f[f["RANK"] == 1].set_index("ARM")
    pair = second.join(first.add_suffix("_1"), how="inner")
    if pair.empty:
        return None
    gap_max = pair["FIRST_HI"] - pair["FIRST_LO_1"]  # the largest the gap can be
    interval = sub.m.study.sentinel_interval_days
    for arm, r in pair.iterrows():
        d1, d2 = day_text(r.FIRST_LO_1, r.FIRST_HI_1), day_text(r.FIRST_LO, r.FIRST_HI)
        g = gap_max.at[arm]
        if interval and g < interval:
            out.add("major",
                    f"Cohort {arm}: subject {r.USUBJID} was dosed {num(g)} day(s) after the sentinel subject "
                    f"{r.USUBJID_1} ({d2} vs {d1}); the declared interval is {interval} days",
                    f"队列 {arm}：受试者 {r.USUBJID} 在哨兵受试者 {r.USUBJID_1} 之后 {num(g)} 天给药（{d2} 对 {d1}），"
                    f"申报的间隔为 {interval} 天", domain="EX", usubjid=r.USUBJID, record=f"ARMCD={arm}")
        elif interval is None and g == 0:
            out.add("info",
                    f"Cohort {arm}: the first two subjects ({r.USUBJID_1}, {r.USUBJID}) were dosed the same day ({d1}); "
                    "no sentinel interval is declared in submission.yaml",
                    f"队列 {arm}：前两名受试者（{r.USUBJID_1}、{r.USUBJID}）于同一天（{d1}）给药；submission.yaml 未申报哨兵间隔",
                    domain="EX", usubjid=r.USUBJID, record=f"ARMCD={arm}")
    return None


@check("ADM-005", A, "minor", "G-2.2.2b", "Single administration in first-in-human studies", "首次人体试验单次给药")
def single_administration(sub, out):
    """FIH study: more than one administration (distinct EXSTDTC day) for a subject."""
    if (na := _not_fih(sub)) is not None:
        return na
    if (na := need(sub, "EX", "ADM-001")) is not None:
        return na
    ex = _active_records(sub)
    if "USUBJID" not in ex.columns or ex.empty:
        return None
    ex = ex[~ex["ZERO"] | ex["CONTROL"]]
    day = ex["START_LO"].where(ex["START_LO"] == ex["START_HI"])
    key = day.astype(object).where(day.notna(), "row" + pd.Series(ex.index.astype(str), index=ex.index))
    n = key.groupby(ex["USUBJID"]).nunique()
    for u, k in n[n > 1].items():
        days = sorted(col(ex, "EXSTDTC")[ex["USUBJID"] == u].fillna("?").astype(str).unique())
        out.add("minor", f"Subject {u}: {k} administrations in a first-in-human study ({listing(days)}); "
                         "a single administration is recommended",
                f"受试者 {u}：首次人体试验中给药 {k} 次（{listing(days, sep='、')}）；建议单次给药",
                domain="EX", usubjid=u)
    return None


@check("ADM-006", A, "info / major", "G-2.1.4a", "Enrolled but never treated: count, proportion and reasons",
       "入组但未接受治疗：人数、比例和原因")
def never_treated(sub, out):
    """Enrolled subjects never dosed: count and proportion (info); no DS reason for such a subject (major)."""
    if (na := need_dm(sub)) is not None:
        return na
    if (na := need(sub, "EX", "ADM-001")) is not None:
        return na
    subj = sub.study.subjects
    enrolled = subj[subj["ENROLLED"]]
    if enrolled.empty:
        return NotApplicable("no enrolled subjects", "无入组受试者")
    ex = sub.domain("EX")
    # an EX record with a dose that is not 0 counts as treatment here (a dose problem is ADM-002's finding)
    given = set(ex.loc[~to_number(col(ex, "EXDOSE")).eq(0), "USUBJID"].dropna()) if "USUBJID" in ex.columns \
        else set()
    never = enrolled.index[~(enrolled["DOSED"] | enrolled.index.isin(given)).to_numpy()]
    disp = sub.study.disposition
    d = disp[disp["USUBJID"].isin(never) & disp["HAS_REASON"] & ~disp["COMPLETED"]]
    reasons = (d["TERM"].fillna(d["DECOD"]).astype(str).value_counts() if len(d) else pd.Series(dtype=int))
    r_en = "; reasons: " + ", ".join(f"{k} ({v})" for k, v in reasons.items()) if len(reasons) else ""
    r_zh = "；原因：" + "、".join(f"{k}（{v}）" for k, v in reasons.items()) if len(reasons) else ""
    if len(never) and not sub.has("DS"):
        r_en, r_zh = "; reasons unknown (DS missing)", "；原因不明（缺少 DS）"
    out.add("info", f"{len(never)} of {len(enrolled)} enrolled subjects ({pct(len(never), len(enrolled))}) were never "
                    f"treated{r_en}",
            f"{len(enrolled)} 名入组受试者中 {len(never)} 名（{pct(len(never), len(enrolled))}）未接受治疗{r_zh}",
            domain="EX")
    if not sub.has("DS"):
        return None  # the missing DS is SCR-007's finding
    for u in sorted(set(never) - set(d["USUBJID"])):
        out.add("major", f"Subject {u} was enrolled but never treated, and DS gives no reason",
                f"受试者 {u} 已入组但未接受治疗，DS 中未记录原因", domain="DS", usubjid=u)
    return None


DLT_FIELDS = {"study.dlt.definition": ("definition", "定义"), "study.dlt.window_days": ("window", "观察期"),
              "study.dlt.target_rate": ("target rate", "目标发生率"), "study.dlt.min_grade": ("grade threshold", "分级阈值")}


@check("ADM-007", A, "minor", "G-2.2.2", "DLT definition, window and target declared for a dose escalation",
       "剂量递增研究已申报 DLT 定义、观察期和目标发生率")
def dlt_declared(sub, out):
    """A dose-escalation study whose submission.yaml does not declare the DLT definition, window or target rate
    (the grade threshold too, under the grade definition): the rules' defaults are used, and named."""
    design = sub.study.design.value("design")
    if design != "dose_escalation":
        return NotApplicable(f"not a dose-escalation study (design {design or 'not declared'})",
                             f"非剂量递增研究（设计：{design or '未申报'}）")
    p = sub.study.parameters
    used = [d for d in p.defaults if d.field in DLT_FIELDS
            and (d.field != "study.dlt.min_grade" or p.dlt_definition == "grade")]
    if not used:
        return None
    en = ", ".join(f"{DLT_FIELDS[d.field][0]} {d.value}{' days' if d.field.endswith('window_days') else ''} "
                   f"(rules {d.rule})" for d in used)
    zh = "、".join(f"{DLT_FIELDS[d.field][1]} {d.value}{' 天' if d.field.endswith('window_days') else ''}"
                   f"（审评规则 {d.rule}）" for d in used)
    names = [DLT_FIELDS[d.field][0] for d in used]
    names_en = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    out.add("minor", f"Dose-escalation study without a declared DLT {names_en} "
                     f"in submission.yaml (study.dlt): the DLT and MTD analyses use the reviewer's defaults: {en}",
            f"剂量递增研究未在 submission.yaml（study.dlt）中申报 DLT {'、'.join(DLT_FIELDS[d.field][1] for d in used)}："
            f"DLT 与 MTD 分析采用审评规则默认值：{zh}", record="FIELD=study.dlt")
    return None
