"""T4: sufficient for the benefit-risk assessment; further trials may not be needed (G-4.2.4)."""
from __future__ import annotations

from collections import Counter

from ..findings import ELEMENT_LABELS, SEVERITY_LABELS, Element, Severity
from ..numbers import fmt_num
from .criterion import Context, Criterion, counts, criterion, na, pct, share_verdict
from .facts import dose_levels_from_exposure


@criterion("T4.randomized_controlled")
def t4_randomized_controlled(c: Context) -> Criterion:
    cid = "T4.randomized_controlled"
    r, f = c.rules, c.facts
    designs, stages = " or ".join(r.t4_designs), " or ".join(r.t4_stages)
    need_en = f"a {designs} design at stage {stages} (now design {f.design or 'not declared'}, " \
              f"stage {f.stage or 'not declared'})"
    need_zh = f"采用 {'或'.join(r.t4_designs)} 设计、研究阶段为 {'或'.join(r.t4_stages)}" \
              f"（当前设计：{f.design or '未声明'}，阶段：{f.stage or '未声明'}）"
    values = {"design": f.design, "stage": f.stage}
    if f.design is not None and f.design not in r.t4_designs:
        return Criterion(cid, False, f"design {f.design} is not {designs}",
                         f"设计为 {f.design}，不是 {'或'.join(r.t4_designs)}",
                         values=values, need_en=need_en, need_zh=need_zh)
    if f.stage is not None and f.stage not in r.t4_stages:
        return Criterion(cid, False, f"stage {f.stage} is not {stages}", f"研究阶段为 {f.stage}，不是 {'或'.join(r.t4_stages)}",
                         values=values, need_en=need_en, need_zh=need_zh)
    if f.design is None or f.stage is None:
        missing = [k for k, v in (("study.design", f.design), ("study.stage", f.stage)) if v is None]
        return na(cid, f"not evaluable: {' and '.join(missing)} not declared in submission.yaml",
                   f"无法评价：submission.yaml 未声明 {'和'.join(missing)}", need_en, need_zh, **values)
    return Criterion(cid, True, f"design {f.design}, stage {f.stage}", f"设计 {f.design}，阶段 {f.stage}", values=values)


@criterion("T4.clinical_endpoint")
def t4_clinical_endpoint(c: Context) -> Criterion:
    cid = "T4.clinical_endpoint"
    allowed = c.rules.t4_endpoint_types
    t = c.facts.endpoint_type
    need_en = f"a primary endpoint of type {' or '.join(allowed)} (now {t or 'not declared'})"
    need_zh = f"主要终点类型为 {'或'.join(allowed)}（当前：{t or '未声明'}）"
    if t is None:
        return na(cid, "not evaluable: no primary endpoint declared in submission.yaml",
                   "无法评价：submission.yaml 未声明主要终点",
                   need_en, need_zh, endpoint_type=None)
    if t in allowed:
        return Criterion(cid, True, f"primary endpoint type {t}", f"主要终点类型为 {t}", values={"endpoint_type": t})
    return Criterion(cid, False, f"primary endpoint type {t}, not {' or '.join(allowed)}",
                     f"主要终点类型为 {t}，不是 {'或'.join(allowed)}", values={"endpoint_type": t},
                     findings=c.present("EFF-002"),
                     need_en=need_en, need_zh=need_zh)


def efficacy(c: Context):
    """(efficacy, comparison, description en, description zh) of the primary endpoint."""
    eff = c.inputs.efficacy
    if eff is None:
        return None, None, "", ""
    comp = eff.comparison
    endpoint = eff.endpoint or "the primary endpoint"
    if comp is None:
        return eff, None, f"{endpoint}", f"{eff.endpoint or '主要终点'}"
    kind = comp.kind or "comparison"
    arms_txt = f", arms {'+'.join(comp.arms)}" if comp.arms else ""
    en = f"{endpoint}: estimate {fmt_num(comp.estimate)} (95% CI {fmt_num(comp.ci_low)} to {fmt_num(comp.ci_high)}), {kind}{arms_txt}"
    zh = (f"{eff.endpoint or '主要终点'}：估计值 {fmt_num(comp.estimate)}（95% CI {fmt_num(comp.ci_low)} 至 "
          f"{fmt_num(comp.ci_high)}），{kind}{arms_txt}")
    return eff, comp, en, zh


@criterion("T4.efficacy_significant")
def t4_efficacy_significant(c: Context) -> Criterion:
    cid = "T4.efficacy_significant"
    thr = c.rules.t4_p_value
    need_en = f"an efficacy signal on the primary endpoint with two-sided p < {fmt_num(thr)}"
    need_zh = f"主要终点有效性信号且双侧 p < {fmt_num(thr)}"
    eff, comp, desc_en, desc_zh = efficacy(c)
    if eff is None:
        return na(cid, "not evaluable: no efficacy analysis (analyses.efficacy)", "无法评价：缺少有效性分析结果（analyses.efficacy）",
                   need_en, need_zh, p_value=None, threshold=thr)
    signal = eff.signal
    p = comp.p_value if comp else None
    values = {"signal": signal, "p_value": p, "threshold": thr}
    reason = f" ({eff.reason})" if eff.reason else ""
    if signal is False:
        return Criterion(cid, False, f"no efficacy signal: {desc_en}{reason}", f"无有效性信号：{desc_zh}{reason}",
                         values=values, need_en=need_en, need_zh=need_zh)
    if signal is not True:
        return na(cid, f"not evaluable: efficacy signal not determined{reason}", f"无法评价：未能判定有效性信号{reason}",
                   need_en, need_zh, **values)
    if p is None:
        return na(cid, f"not evaluable: efficacy signal but no p-value ({desc_en})",
                   f"无法评价：有有效性信号但无 p 值（{desc_zh}）", need_en, need_zh, **values)
    if p < thr:
        return Criterion(cid, True, f"efficacy signal, two-sided p = {p:.3g} < {fmt_num(thr)}: {desc_en}",
                         f"有有效性信号，双侧 p = {p:.3g} < {fmt_num(thr)}：{desc_zh}", values=values)
    return Criterion(cid, False, f"efficacy signal but two-sided p = {p:.3g} ≥ {fmt_num(thr)}: {desc_en}",
                     f"有有效性信号，但双侧 p = {p:.3g} ≥ {fmt_num(thr)}：{desc_zh}", values=values,
                     need_en=f"{need_en} (now p = {p:.3g})", need_zh=f"{need_zh}（当前 p = {p:.3g}）")


@criterion("T4.safety_set_size")
def t4_safety_set_size(c: Context) -> Criterion:
    cid = "T4.safety_set_size"
    need_n = c.rules.t4_min_active_dosed
    active = c.active
    if active is None or any(a.dosed is None for a in active):
        return na(cid, "not evaluable: dosed subjects per active arm not available (analyses.exposure)",
                   "无法评价：缺少各试验组给药人数（analyses.exposure）", f"≥ {need_n} dosed subjects in active arms",
                   f"试验组给药受试者 ≥ {need_n} 例", active_dosed=None, threshold=need_n)
    total = sum(a.dosed for a in active)
    per_arm = ", ".join(f"{a.arm} {a.dosed}" for a in active)
    values = {"active_dosed": total, "threshold": need_n}
    if total >= need_n:
        return Criterion(cid, True, f"{total} dosed subjects in active arms ≥ {need_n} ({per_arm})",
                         f"试验组给药受试者 {total} 例 ≥ {need_n}（{per_arm}）", values=values)
    return Criterion(cid, False, f"{total} dosed subjects in active arms < {need_n} ({per_arm or 'no active arm'})",
                     f"试验组给药受试者 {total} 例 < {need_n}（{per_arm or '无试验组'}）", values=values,
                     need_en=f"≥ {need_n} dosed subjects in active arms (now {total})",
                     need_zh=f"试验组给药受试者 ≥ {need_n} 例（当前 {total} 例）")


@criterion("T4.follow_up")
def t4_follow_up(c: Context) -> Criterion:
    cid = "T4.follow_up"
    share = c.rules.follow_up_share
    req = c.inputs.follow_up_required_days
    req_txt = f"{req} days" if req else "the required follow-up"
    req_zh = f"{req} 天" if req else "规定随访时长"
    need_en = f"≥ {share:.0%} of dosed subjects followed ≥ {req_txt} (deaths count as meeting)"
    need_zh = f"≥ {share:.0%} 的给药受试者随访 ≥ {req_zh}（死亡计为达到）"
    arms = c.inputs.follow_up
    if not arms:
        return na(cid, "not evaluable: no follow-up analysis per arm (analyses.follow_up)",
                   "无法评价：缺少各组随访分析结果（analyses.follow_up）", need_en, need_zh, threshold=share)
    dosed = meeting = deaths = 0
    for r in arms:
        d, m = r.dosed, r.meeting_requirement
        if d is None or m is None:
            return na(cid, f"not evaluable: dosed or meeting_requirement missing for arm {r.arm}",
                       f"无法评价：{r.arm} 组缺少给药人数或达到随访要求人数", need_en, need_zh, threshold=share)
        # deaths before the requirement when the analysis gives them; else all deaths, capped so no one counts twice
        db = r.deaths_before_requirement
        dd = db if db is not None else (r.deaths or 0)
        dd = max(0, min(dd, d - m))
        dosed, meeting, deaths = dosed + d, meeting + m, deaths + dd
    values = {"dosed": dosed, "meeting_requirement": meeting, "deaths_counted": deaths, "required_days": req,
              "threshold": share}
    declared = c.inputs.follow_up_required_declared
    if req and declared is not None and declared != req:   # the reviewer's rules replaced the sponsor's value
        values["required_days_declared"] = declared
        req_txt = f"{req} days ({c.inputs.follow_up_required_source or f'{declared} declared'})"
        req_zh = f"{req} 天（{c.inputs.follow_up_required_source_zh or f'申报 {declared} 天'}）"
    if dosed == 0:
        return na(cid, "not evaluable: no dosed subject", "无法评价：无给药受试者", need_en, need_zh,
                   **values)
    n = meeting + deaths
    values["share"] = round(n / dosed, 4)
    body_en = (f"{n}/{dosed} dosed subjects ({pct(n, dosed)}) followed ≥ {req_txt} or died "
               f"({meeting} met, {deaths} died before)")
    body_zh = f"{n}/{dosed} 例给药受试者（{pct(n, dosed)}）随访 ≥ {req_zh} 或已死亡（达到 {meeting} 例，此前死亡 {deaths} 例）"
    return share_verdict(cid, n, dosed, share, body_en, body_zh, values, need_en, need_zh,
                         findings=c.present("FUP-001", "FUP-002"))


@criterion("T4.dose_explored")
def t4_dose_explored(c: Context) -> Criterion:
    cid = "T4.dose_explored"
    min_levels = c.rules.t4_min_dose_levels
    levels = c.facts.dose_levels
    src = "data"
    if levels is None:
        levels, src = dose_levels_from_exposure(c.arms), "data (analyses.exposure)"
    prior = bool(c.facts.prior_exploratory_evidence)
    values = {"dose_levels": levels, "prior_exploratory_evidence": prior, "threshold": min_levels}
    need_en = f"≥ {min_levels} dose levels in the data, or prior exploratory evidence (now {fmt_num(levels)} level(s))"
    need_zh = f"数据中 ≥ {min_levels} 个剂量水平，或已有前期探索性证据（当前 {fmt_num(levels)} 个）"
    above_en, above_zh = _above_explored(c, values)
    if prior:
        return Criterion(cid, True, f"prior_exploratory_evidence: true ({fmt_num(levels)} dose level(s) in the "
                                    f"{src}){above_en}",
                         f"已声明前期探索性证据（数据中 {fmt_num(levels)} 个剂量水平）{above_zh}", values=values)
    if levels is None:
        return na(cid, "not evaluable: dose levels unknown (no exposure analysis) and no prior exploratory evidence",
                   "无法评价：剂量水平未知（缺少暴露分析）且未声明前期探索性证据", need_en, need_zh, **values)
    if levels >= min_levels:
        return Criterion(cid, True, f"{levels} dose levels in the {src} ≥ {min_levels}{above_en}",
                         f"数据中 {levels} 个剂量水平 ≥ {min_levels}{above_zh}", values=values)
    return Criterion(cid, False,
                     f"{levels} dose level(s) in the {src} < {min_levels} and no prior exploratory evidence{above_en}",
                     f"数据中 {levels} 个剂量水平 < {min_levels}，且未声明前期探索性证据{above_zh}", values=values,
                     need_en=need_en, need_zh=need_zh)


def _above_explored(c: Context, values: dict) -> tuple[str, str]:
    """G-2.2.2c in the evidence: manifest arms and the proposed next-stage dose above the highest dose explored
    (``dlt.above_explored``, ``dlt.next_stage``); shown, not decisive."""
    arms = list(c.inputs.dlt_above_explored or [])
    ns = c.inputs.dlt_next_stage or {}
    values["above_explored"] = arms
    en, zh = [], []
    if arms:
        en.append(f"arm(s) {', '.join(arms)} declared above the highest dose explored (G-2.2.2c)")
        zh.append(f"申报组别 {'、'.join(arms)} 的剂量高于已探索的最高剂量（G-2.2.2c）")
    if ns.get("comparable"):
        values["next_stage_above_explored"] = bool(ns.get("above_explored"))
        shown = f"{fmt_num(ns.get('dose'))} {ns.get('dose_unit') or ''}".strip()
        top = f"{fmt_num(ns.get('highest_dose_explored'))} {ns.get('explored_unit') or ''}".strip()
        if ns.get("above_explored"):
            en.append(f"the proposed next-stage dose {shown} exceeds the highest dose explored ({top}; G-2.2.2c)")
            zh.append(f"拟定的后续阶段剂量 {shown} 超出已探索的最高剂量（{top}；G-2.2.2c）")
        else:
            en.append(f"the proposed next-stage dose {shown} is not above the highest dose explored ({top})")
            zh.append(f"拟定的后续阶段剂量 {shown} 未超出已探索的最高剂量（{top}）")
    return ("; " + "; ".join(en) if en else ""), ("；" + "；".join(zh) if zh else "")


@criterion("T4.biology_known")
def t4_biology_known(c: Context) -> Criterion:
    cid = "T4.biology_known"
    required = list(c.rules.t4_required_documents)
    missing = [d for d in required if d not in c.facts.document_types]
    values = {"required": required, "missing": missing}
    if not missing:
        return Criterion(cid, True, f"documents present: {', '.join(required) or 'none required'}",
                         f"已有文件：{'、'.join(required) or '无要求'}", values=values)
    idx_en = " (no documents index)" if not c.facts.documents_indexed else ""
    idx_zh = "（无文件索引）" if not c.facts.documents_indexed else ""
    return Criterion(cid, False, f"document(s) missing: {', '.join(missing)}{idx_en}",
                     f"缺少文件：{'、'.join(missing)}{idx_zh}", values=values,
                     need_en=f"{' and '.join(missing)} document(s) "
                             f"(survival, distribution, differentiation known; G-4.2.4)",
                     need_zh=f"提交 {'、'.join(missing)} 文件（明确体内存活、分布、分化特性；G-4.2.4）")


@criterion("T4.no_major_findings_open")
def t4_no_major_findings_open(c: Context) -> Criterion:
    cid = "T4.no_major_findings_open"
    elements, sevs = set(c.rules.t4_major_finding_elements), set(c.rules.t4_major_finding_severities)
    hits = [(f.check_id, f.element) for f in c.findings if f.element in elements and f.severity in sevs]
    els = ", ".join(c.rules.t4_major_finding_elements)
    els_zh = "、".join(ELEMENT_LABELS[Element(e)][0] for e in c.rules.t4_major_finding_elements)
    sevs_zh = "/".join(SEVERITY_LABELS[Severity(s)][0] for s in c.rules.t4_major_finding_severities)
    values = {"open": len(hits), "elements": list(c.rules.t4_major_finding_elements),
              "severities": list(c.rules.t4_major_finding_severities)}
    if not hits:
        return Criterion(cid, True, f"no {'/'.join(c.rules.t4_major_finding_severities)} finding in {els}",
                         f"{els_zh}要素无{sevs_zh}问题", values=values)
    ids = [h[0] for h in hits]
    uniq = tuple(sorted(set(ids)))
    by_el = Counter(h[1] for h in hits)
    el_txt = ", ".join(f"{e} {n}" for e, n in sorted(by_el.items()))
    return Criterion(cid, False, f"{len(hits)} open finding(s) in {els} ({el_txt}): {counts(ids)}",
                     f"{els_zh}要素有 {len(hits)} 项未解决问题（{el_txt}）：{counts(ids)}", values=values, findings=uniq,
                     need_en=f"resolve or justify the open findings in {els} ({', '.join(uniq)})",
                     need_zh=f"解决或说明{els_zh}要素的未决问题（{'、'.join(uniq)}）")
