"""T0: not acceptable as supporting evidence (G-4.1.1, G-4.1.2)."""
from __future__ import annotations

from .criterion import Context, Criterion, counts, criterion, na


@criterion("T0.critical_findings")
def t0_critical_findings(c: Context) -> Criterion:
    ids = [f.check_id for f in c.findings if f.severity == "critical"]
    uniq = tuple(sorted(set(ids)))
    if ids:
        return Criterion("T0.critical_findings", True,
                         f"{len(ids)} critical finding(s): {counts(ids)}",
                         f"{len(ids)} 项严重问题：{counts(ids)}",
                         values={"critical": len(ids)}, findings=uniq,
                         need_en=f"resolve the critical findings ({', '.join(uniq)})",
                         need_zh=f"解决严重问题（{'、'.join(uniq)}）")
    return Criterion("T0.critical_findings", False, f"no critical finding among {len(c.findings)} finding(s)",
                     f"{len(c.findings)} 项问题中无严重问题", values={"critical": 0})


@criterion("T0.no_dosed_subjects")
def t0_no_dosed_subjects(c: Context) -> Criterion:
    cid = "T0.no_dosed_subjects"
    active = c.active
    need_en, need_zh = "subjects dosed with the product, with exposure data (EX)", "受试者接受研究产品给药并有给药记录（EX）"
    if active is None:
        return na(cid, "not evaluable: no exposure analysis (analyses.exposure)",
                  "无法评价：缺少暴露分析结果（analyses.exposure）", need_en, need_zh)
    known = [a for a in active if a.dosed is not None]
    total = sum(a.dosed for a in known)
    ctrl = sum(a.dosed or 0 for a in c.arms or [] if a.control)
    per_arm = ", ".join(f"{a.arm} {a.dosed if a.dosed is not None else 'n/a'}" for a in active) or "none"
    if total == 0 and len(known) < len(active):
        return na(cid, f"not evaluable: dosed count missing for active arm(s) ({per_arm})",
                  f"无法评价：试验组给药人数缺失（{per_arm}）", need_en, need_zh, active_dosed=None)
    ctrl_en = f"; control arms {ctrl}" if ctrl else ""
    ctrl_zh = f"；对照组 {ctrl} 例" if ctrl else ""
    if total == 0:
        return Criterion(cid, True, f"0 subjects dosed with the product (active arms: {per_arm}{ctrl_en})",
                         f"无受试者接受研究产品给药（试验组：{per_arm}{ctrl_zh}）",
                         values={"active_dosed": 0, "control_dosed": ctrl}, need_en=need_en, need_zh=need_zh)
    return Criterion(cid, False, f"{total} subjects dosed in active arms ({per_arm}{ctrl_en})",
                     f"试验组共 {total} 例受试者给药（{per_arm}{ctrl_zh}）",
                     values={"active_dosed": total, "control_dosed": ctrl})


@criterion("T0.no_safety_data")
def t0_no_safety_data(c: Context) -> Criterion:
    """Met when there is no safety analysis at all (decisive at step 1: ``c.early_no_safety``), or, as the step-5
    fallback, when T2.evaluable_safety is not met."""
    cid = "T0.no_safety_data"
    safety = c.inputs.safety
    overview = safety.overview if safety is not None else None
    no_data = None
    if safety is not None and safety.reason_code == "no_ae":   # the overview would mean "no AE", not "no data"
        no_data = ("the submission has no AE dataset", "申报资料中没有不良事件数据集（AE）", {"ae_dataset": False})
    elif not overview:
        no_data = (f"analyses.safety.overview is {'missing' if overview is None else 'empty'}",
                   f"安全性概览（analyses.safety.overview）{'缺失' if overview is None else '为空'}", {})
    if no_data:
        why_en, why_zh, extra = no_data
        c.early_no_safety = True
        return Criterion(cid, True, f"no safety data can be evaluated: {why_en}", f"无可评价的安全性数据：{why_zh}",
                         values={"safety_overview": False, **extra},
                         need_en="adverse event data (AE) for the dosed subjects, with a safety analysis",
                         need_zh="提供给药受试者的不良事件数据（AE）及安全性分析")
    t2 = c.result("T2.evaluable_safety")
    note_en = " (decisive only when no T1–T3 rule applies: the last step of the evaluation order)"
    note_zh = "（仅在 T1–T3 均不适用时起决定作用：评价顺序的最后一步）"
    if t2.met is True:
        return Criterion(cid, False, f"safety data can be evaluated: {t2.evidence_en}",
                         f"安全性数据可评价：{t2.evidence_zh}", values=dict(t2.values, safety_overview=True))
    if t2.met is False:
        return Criterion(cid, True, f"too little safety data to evaluate: {t2.evidence_en}{note_en}",
                         f"安全性数据不足以评价：{t2.evidence_zh}{note_zh}", values=dict(t2.values, safety_overview=True),
                         need_en=t2.need_en, need_zh=t2.need_zh)
    return Criterion(cid, True, f"safety over the DLT window cannot be evaluated: {t2.evidence_en}{note_en}",
                     f"无法评价 DLT 观察期内的安全性：{t2.evidence_zh}{note_zh}", values=dict(t2.values, safety_overview=True),
                     need_en=t2.need_en, need_zh=t2.need_zh)
