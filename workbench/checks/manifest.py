"""Manifest checks: submission.yaml present (MAN-001) and valid, with every data arm declared (MAN-002); the next
development plan declared and within the range explored (MAN-003)."""
from __future__ import annotations

from ..findings import Element
from ..manifest import ProblemKind
from ..study import role_rule_text
from ..study.explored import explored
from ..text import norm_value
from ..units import normalise_dose_unit
from .helpers import listing, num
from .registry import NotApplicable, check

C = Element.COMPLIANCE


@check("MAN-001", C, "major", "G-4.0", "Study manifest (submission.yaml) supplied", "提供研究清单（submission.yaml）")
def manifest_present(sub, out):
    """submission.yaml is missing: study metadata is inferred from the data where possible."""
    if sub.manifest is not None or any(p.kind == ProblemKind.UNREADABLE for p in sub.manifest_problems):
        return None  # present (an unreadable file is MAN-002's finding)
    model = sub.study
    arms = model.arms
    shown_en, shown_zh = [], []
    for a in arms.itertuples():
        dose = f"{num(a.DOSE)} {a.DOSE_UNIT or ''}".strip() if a.DOSE == a.DOSE and a.DOSE is not None else "dose unknown"
        dose_zh = dose if dose != "dose unknown" else "剂量未知"
        if a.CONTROL:
            shown_en.append(f"{a.ARM} (control: {role_rule_text(a.ROLE_RULE, a.ROLE_EVIDENCE, 'en')}; {dose})")
            shown_zh.append(f"{a.ARM}（对照组：{role_rule_text(a.ROLE_RULE, a.ROLE_EVIDENCE, 'zh')}；{dose_zh}）")
        else:
            shown_en.append(f"{a.ARM} ({dose})")
            shown_zh.append(f"{a.ARM}（{dose_zh}）")
    facts = [(k, f) for k, f in model.design.inferred().items() if k not in ("title", "sponsor")]
    facts_en = "; ".join(f"{k} {f.value} ({f.source})" for k, f in facts)
    facts_zh = "；".join(f"{k} {f.value}（{f.source}）" for k, f in facts)
    arms_en = f"; arms from the data: {listing(shown_en, 10)}" if shown_en else ""
    arms_zh = f"；数据中的组别：{listing(shown_zh, 10, sep='、')}" if shown_zh else ""
    days = sub.study.parameters.required_followup_days
    where = "bare folder of datasets" if sub.bare else "submission folder"
    where_zh = "数据集裸文件夹" if sub.bare else "申报资料文件夹"
    out.add("major",
            f"submission.yaml is missing ({where}): product, cell type, primary endpoint and stopping rules are not "
            f"declared{arms_en}{'; from the trial design datasets: ' + facts_en if facts else ''}; required "
            f"follow-up defaults to {days} days",
            f"缺少 submission.yaml（{where_zh}）：产品、细胞类型、主要终点和停止规则均未申报{arms_zh}"
            f"{'；来自试验设计数据集：' + facts_zh if facts else ''}；要求随访时间按默认 {days} 天计",
            record="FILE=submission.yaml")


@check("MAN-002", C, "minor/major", "G-4.0", "Study manifest valid and consistent with the data",
       "研究清单有效且与数据一致")
def manifest_valid(sub, out):
    """Invalid manifest field (major), unknown key (minor), arm in DM not declared in the manifest (major)."""
    for p in sub.manifest_problems:
        sev = "minor" if p.kind == ProblemKind.UNKNOWN_KEY else "major"
        out.add(sev, p.message_en, p.message_zh, record=f"FIELD={p.field}")
    dm = sub.domain("DM")
    if sub.manifest is None or dm is None or "USUBJID" not in dm.columns:
        return None
    declared = {norm_value(a.armcd) for a in sub.m.study.arms}
    shown = sorted(a.armcd for a in sub.m.study.arms)
    sa = sub.study.subject_arms
    reported: set = set()
    for var, column in (("ARMCD", "PLANNED_ARM"), ("ACTARMCD", "ARM")):
        if var not in dm.columns:
            continue
        codes = sa[column].dropna()
        extra = codes[~codes.map(norm_value).isin(declared)]
        for code, n in extra.groupby(extra).size().items():
            if code in reported:
                continue  # already reported for ARMCD
            reported.add(code)
            out.add("major",
                    f"Arm {code} (DM.{var}, {n} subject(s)) is not declared in submission.yaml study.arms "
                    f"(declared: {listing(shown) or 'none'})",
                    f"组别 {code}（DM.{var}，{n} 名受试者）未在 submission.yaml 的 study.arms 中申报"
                    f"（已申报：{listing(shown, sep='、') or '无'}）",
                    domain="DM", record=f"{var}={code}")


@check("MAN-003", C, "minor/major", "四, 四（二）2", "Next development plan declared, within the range explored",
       "已申报后续研发计划，且在已探索范围内")
def next_stage_plan(sub, out):
    """submission.yaml ``next_stage`` (proposed dose, frequency, population) missing or incomplete (minor); a
    proposed dose or frequency outside the range the data explored (major; G-2.2.2c, 四（二）2)."""
    if sub.manifest is None:
        return NotApplicable("submission.yaml missing (reported by MAN-001)", "缺少 submission.yaml（由 MAN-001 报告）")
    ns = sub.m.next_stage
    if ns is None:
        out.add("minor", "No next development plan in submission.yaml (next_stage: proposed dose, frequency, "
                         "population): the reviewer cannot judge whether the next trial stays within the explored "
                         "dose and frequency (guideline 四)",
                "submission.yaml 未申报后续研发计划（next_stage：拟定剂量、给药频率、人群）：无法判断后续试验是否在已"
                "探索的剂量和频率范围内（指导原则四）", record="FIELD=next_stage")
        return None
    missing = [name for name, ok in (("dose and dose_unit", ns.dose is not None and bool(ns.dose_unit)),
                                     ("frequency", ns.frequency is not None and ns.frequency.administrations),
                                     ("population", bool(ns.population))) if not ok]
    if missing:
        zh = {"dose and dose_unit": "剂量及单位", "frequency": "给药频率", "population": "人群"}
        out.add("minor", f"next_stage in submission.yaml lacks the {', '.join(missing)} of the next development step",
                f"submission.yaml 的 next_stage 缺少后续研发的{'、'.join(zh[m] for m in missing)}",
                record="FIELD=next_stage")
    seen = explored(sub)
    if ns.dose is not None and ns.dose_unit:
        conv = normalise_dose_unit(ns.dose_unit)
        dose, unit = (ns.dose * conv[0], conv[1]) if conv else (None, None)
        rng = seen.dose_range(unit)
        shown = f"{num(ns.dose)} {ns.dose_unit}"
        if seen.doses and rng is None:
            have = ", ".join(f"{num(lo)}–{num(hi)} {u}" for u, (lo, hi) in seen.doses.items())
            out.add("minor", f"next_stage dose {shown} cannot be compared with the doses explored ({have}): "
                             "different or unconvertible unit",
                    f"next_stage 剂量 {shown} 无法与已探索剂量（{have}）比较：单位不同或无法换算",
                    record="FIELD=next_stage.dose_unit")
        elif rng is not None and not (rng[0] * (1 - 1e-9) <= dose <= rng[1] * (1 + 1e-9)):
            side_en, side_zh = ("above the highest", "高于最高") if dose > rng[1] else ("below the lowest", "低于最低")
            levels = listing([f"{a} {num(d)} {u}" for a, d, u in seen.levels if u == unit], 8)
            out.add("major", f"The proposed next-stage dose {shown} is {side_en} dose explored "
                             f"({num(rng[0])}–{num(rng[1])} {unit}: {levels}); a later-stage dose should stay within "
                             "the explored range (G-2.2.2c, guideline 四（二）2)",
                    f"拟定的后续阶段剂量 {shown} {side_zh}已探索剂量（{num(rng[0])}–{num(rng[1])} {unit}：{levels}）；"
                    "后续阶段剂量应在已探索范围内（G-2.2.2c，指导原则四（二）2）", record="FIELD=next_stage.dose")
    f = ns.frequency
    if f is not None and f.administrations and seen.administrations:
        lo, hi = seen.administrations
        problems_en, problems_zh = [], []
        if not lo <= f.administrations <= hi:
            problems_en.append(f"{f.administrations} administration(s) per subject, the data gave {lo}"
                               f"{'' if lo == hi else f'–{hi}'}")
            problems_zh.append(f"每名受试者给药 {f.administrations} 次，数据中为 {lo}{'' if lo == hi else f'–{hi}'} 次")
        if f.administrations > 1 and f.interval_days is not None:
            if seen.intervals is None:
                problems_en.append(f"an interval of {f.interval_days} days, the data gave no repeat dose")
                problems_zh.append(f"给药间隔 {f.interval_days} 天，数据中无重复给药")
            elif not seen.intervals[0] <= f.interval_days <= seen.intervals[1]:
                a, b = seen.intervals
                problems_en.append(f"an interval of {f.interval_days} days, the data gave {num(a)}–{num(b)} days")
                problems_zh.append(f"给药间隔 {f.interval_days} 天，数据中为 {num(a)}–{num(b)} 天")
        if problems_en:
            out.add("major", "The proposed next-stage frequency is outside what the data explored: "
                             + "; ".join(problems_en) + " (guideline 四（二）2)",
                    "拟定的后续阶段给药频率超出数据已探索的范围：" + "；".join(problems_zh) + "（指导原则四（二）2）",
                    record="FIELD=next_stage.frequency")
    return None
