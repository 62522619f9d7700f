"""T1: high safety risk; a registration trial may not be approved (G-4.2.1)."""
from __future__ import annotations

from ..numbers import fmt_num, gt_share
from .criterion import Context, Criterion, criterion, listed, na


def _safety(c: Context, name: str):
    """A part of the safety inputs (overview / related_fatal / related_tumorigenicity), None when absent."""
    return getattr(c.inputs.safety, name) if c.inputs.safety is not None else None


@criterion("T1.stopping_rule_unresolved")
def t1_stopping_rule_unresolved(c: Context) -> Criterion:
    cid = "T1.stopping_rule_unresolved"
    rules = c.inputs.stopping_rules
    if rules is None:
        return na(cid, "not evaluable: no stopping-rule analysis (analyses.stopping_rules)",
                   "无法评价：缺少暂停/终止规则分析结果（analyses.stopping_rules）")
    if not rules:
        return Criterion(cid, False, "no stopping rule declared", "未规定暂停/终止规则", values={"rules": 0, "met": []})
    met = [r for r in rules if r.met is True]
    unknown = [r for r in rules if r.met not in (True, False)]
    has_review = "STOPPING_RULE_REVIEW" in c.facts.document_types
    desc = [f"{r.id} ({fmt_num(r.max_subjects)} subjects, threshold {fmt_num(r.threshold)})" for r in met]
    desc_zh = [f"{r.id}（{fmt_num(r.max_subjects)} 例，阈值 {fmt_num(r.threshold)}）" for r in met]
    ids = [str(r.id) for r in met]
    values = {"rules": len(rules), "met": ids, "review_document": has_review}
    if met and not has_review:
        docs = "" if c.facts.documents_indexed else " (no documents index)"
        return Criterion(cid, True, f"stopping rule met: {listed(desc)}; no STOPPING_RULE_REVIEW document{docs}",
                         f"触发暂停/终止规则：{listed(desc_zh, True)}；无 STOPPING_RULE_REVIEW 评估文件",
                         values=values, findings=c.present("SAF-005"),
                         need_en=f"a STOPPING_RULE_REVIEW document evaluating stopping rule(s) {', '.join(ids)} "
                                 f"(cause found, risk controls in place; G-2.1.3c, G-4.2.1)",
                         need_zh=f"提交针对暂停/终止规则 {'、'.join(ids)} 的评估文件 STOPPING_RULE_REVIEW"
                                 f"（查明原因并落实风险控制措施；G-2.1.3c、G-4.2.1）")
    if met:
        return Criterion(cid, False, f"stopping rule met: {listed(desc)}; reviewed (STOPPING_RULE_REVIEW present)",
                         f"触发暂停/终止规则：{listed(desc_zh, True)}；已有 STOPPING_RULE_REVIEW 评估文件", values=values)
    if unknown:
        which = ", ".join(str(r.id) for r in unknown)
        return na(cid, f"not evaluable: 'met' missing for stopping rule(s) {which}",
                   f"无法评价：暂停/终止规则 {'、'.join(str(r.id) for r in unknown)} 缺少是否触发的结果", **values)
    return Criterion(cid, False, f"no stopping rule met ({len(rules)} declared)",
                     f"未触发暂停/终止规则（共 {len(rules)} 条）", values=values)


def _event_list(rows: list, soc: bool = False) -> tuple[list[str], list[str]]:
    en, zh = [], []
    for r in rows:
        term = r.aedecod or "?"
        extra = f", {r.aebodsys}" if soc and r.aebodsys else ""
        en.append(f"{r.usubjid} AESEQ={fmt_num(r.aeseq)} ({term}{extra})")
        soc_zh = "，" + str(r.aebodsys) if extra else ""
        zh.append(f"{r.usubjid} AESEQ={fmt_num(r.aeseq)}（{term}{soc_zh}）")
    return en, zh


@criterion("T1.related_death")
def t1_related_death(c: Context) -> Criterion:
    cid = "T1.related_death"
    rows = _safety(c, "related_fatal")
    if rows is None:
        overview = _safety(c, "overview")
        fatal = [r.fatal for r in overview or []]
        if overview and all(f == 0 for f in fatal):
            return Criterion(cid, False, "no fatal TEAE in any arm (safety.overview)", "各组均无致死性不良事件",
                             values={"related_fatal": 0})
        return na(cid, "not evaluable: no listing of related fatal TEAEs (analyses.safety.related_fatal)",
                   "无法评价：缺少相关致死性不良事件列表（analyses.safety.related_fatal）")
    if rows:
        en, zh = _event_list(rows)
        subjects = sorted({str(r.usubjid) for r in rows})
        return Criterion(cid, True, f"{len(subjects)} subject(s) with a related fatal TEAE: {listed(en)}",
                         f"{len(subjects)} 例受试者发生与研究产品相关的致死性不良事件：{listed(zh, True)}",
                         values={"related_fatal": len(subjects), "subjects": subjects},
                         need_en=f"related death(s) of {', '.join(subjects)}: cause identified and risk controls "
                                 f"that ensure timely identification and handling (G-4.2.1)",
                         need_zh=f"受试者 {'、'.join(subjects)} 的相关死亡：查明原因，并有能及时识别和处置风险的控制措施（G-4.2.1）")
    return Criterion(cid, False, "no related TEAE with fatal outcome", "无与研究产品相关的致死性不良事件",
                     values={"related_fatal": 0})


@criterion("T1.related_tumorigenicity")
def t1_related_tumorigenicity(c: Context) -> Criterion:
    cid = "T1.related_tumorigenicity"
    rows = _safety(c, "related_tumorigenicity")
    if rows is None:
        return na(cid, "not evaluable: no listing of related tumorigenicity TEAEs "
                        "(analyses.safety.related_tumorigenicity)",
                   "无法评价：缺少相关致瘤性不良事件列表（analyses.safety.related_tumorigenicity）")
    if rows:
        en, zh = _event_list(rows, soc=True)
        subjects = sorted({str(r.usubjid) for r in rows})
        return Criterion(cid, True, f"{len(subjects)} subject(s) with a related neoplasm/teratoma/ectopic-tissue TEAE: "
                                    f"{listed(en)}",
                         f"{len(subjects)} 例受试者发生与研究产品相关的肿瘤/畸胎瘤/异位组织不良事件：{listed(zh, True)}",
                         values={"related_tumorigenicity": len(subjects), "subjects": subjects},
                         findings=c.present("SAF-006"),
                         need_en=f"related tumorigenicity event(s) in {', '.join(subjects)} excluded by human and "
                                 f"nonclinical data (G-4.2.1)",
                         need_zh=f"以人体及非临床数据排除受试者 {'、'.join(subjects)} 的相关致瘤性风险（G-4.2.1）")
    return Criterion(cid, False, "no related TEAE in the neoplasm SOC or with a tumour/teratoma/ectopic-tissue term",
                     "无与研究产品相关的肿瘤、畸胎瘤或异位组织形成不良事件", values={"related_tumorigenicity": 0})


@criterion("T1.related_sae_rate")
def t1_related_sae_rate(c: Context) -> Criterion:
    cid = "T1.related_sae_rate"
    thr, min_n = c.rules.related_sae_rate, c.rules.min_arm_dosed_for_rate
    overview = _safety(c, "overview")
    if overview is None:
        return na(cid, "not evaluable: no safety overview (analyses.safety.overview)",
                   "无法评价：缺少安全性概览（analyses.safety.overview）", threshold=thr)
    parts_en, parts_zh, over, missing, small = [], [], [], [], []
    arms = []
    ctrl = c.control_arms()
    for r in overview:
        if r.control is True or r.arm in ctrl:
            continue
        arm = r.arm
        dosed, rs = r.dosed, r.related_serious
        if dosed is None or dosed < min_n:
            small.append(f"{arm} {dosed if dosed is not None else 'n/a'}")
            continue
        if rs is None:
            missing.append(arm)
            continue
        exceeds = gt_share(rs, dosed, thr)
        arms.append({"arm": arm, "related_serious": rs, "dosed": dosed, "rate": round(rs / dosed, 4),
                     "exceeds": exceeds})
        mark = f" > {fmt_num(thr)}" if exceeds else ""
        parts_en.append(f"{arm} {rs}/{dosed} = {rs / dosed:.2f}{mark}")
        parts_zh.append(f"{arm} {rs}/{dosed} = {rs / dosed:.2f}{mark}")
        if exceeds:
            over.append(arm)
    values = {"threshold": thr, "min_arm_dosed": min_n, "arms": arms}
    tail_en = f"; arms with < {min_n} dosed not rated: {', '.join(small)}" if small else ""
    tail_zh = f"；给药不足 {min_n} 例的组不计：{'，'.join(small)}" if small else ""
    if over:
        return Criterion(cid, True, f"related serious TEAE rate above {fmt_num(thr)} in {', '.join(over)}: "
                                    f"{'; '.join(parts_en)}{tail_en}",
                         f"{'、'.join(over)} 组相关严重不良事件发生率超过 {fmt_num(thr)}：{'；'.join(parts_zh)}{tail_zh}",
                         values=values,
                         need_en=f"related serious TEAE rate ≤ {fmt_num(thr)} in {', '.join(over)}, or its cause found and "
                                 f"controlled (G-4.2.1)",
                         need_zh=f"{'、'.join(over)} 组相关严重不良事件发生率不超过 {fmt_num(thr)}，或查明原因并有效控制（G-4.2.1）")
    if missing:
        return na(cid, f"not evaluable: related_serious missing for {', '.join(missing)}",
                   f"无法评价：{'、'.join(missing)} 组缺少相关严重不良事件人数", **values)
    if not arms:
        return na(cid, f"not evaluable: no dose arm with ≥ {min_n} dosed subjects{tail_en}",
                   f"无法评价：无给药 ≥ {min_n} 例的剂量组{tail_zh}", **values)
    return Criterion(cid, False, f"related serious TEAE rate ≤ {fmt_num(thr)} in every rated arm: "
                                 f"{'; '.join(parts_en)}{tail_en}",
                     f"各计入组相关严重不良事件发生率均不超过 {fmt_num(thr)}：{'；'.join(parts_zh)}{tail_zh}", values=values)


@criterion("T1.all_doses_too_toxic")
def t1_all_doses_too_toxic(c: Context) -> Criterion:
    cid = "T1.all_doses_too_toxic"
    dlt = c.inputs.dlt
    if dlt is None:
        return na(cid, "not evaluable: no DLT/MTD analysis (analyses.dlt)", "无法评价：缺少 DLT/MTD 分析结果（analyses.dlt）")
    levels = dlt.levels
    low = levels[0] if levels else None
    low_en = f"lowest dose {low.arm}: {fmt_num(low.n_dlt)}/{fmt_num(low.n)} with DLT" if low else ""
    low_zh = f"最低剂量 {low.arm}：{fmt_num(low.n_dlt)}/{fmt_num(low.n)} 例发生 DLT" if low else ""
    reason = dlt.mtd_reason
    flag = dlt.all_doses_too_toxic
    values = {"target_rate": dlt.target_rate, "mtd": dlt.mtd}
    if flag is True:
        return Criterion(cid, True, f"the MTD procedure eliminates the lowest dose ({low_en or 'all doses too toxic'}"
                                    f"{'; ' + str(reason) if reason else ''})",
                         f"MTD 判定程序剔除了最低剂量（{low_zh or '所有剂量毒性过高'}）", values=values,
                         need_en="a tolerable dose: a lower dose level not eliminated by the MTD procedure (G-4.2.1)",
                         need_zh="找到可耐受剂量：MTD 判定程序未剔除的更低剂量（G-4.2.1）")
    if flag is False:
        mtd = values["mtd"]
        if mtd:
            en = f"lowest dose not eliminated; MTD {mtd.get('arm')} ({fmt_num(mtd.get('dose'))})"
            zh = f"最低剂量未被剔除；MTD 为 {mtd.get('arm')}（{fmt_num(mtd.get('dose'))}）"
        else:
            en = f"lowest dose not eliminated; no MTD selected{': ' + str(reason) if reason else ''}"
            zh = f"最低剂量未被剔除；未选出 MTD{'：' + str(reason) if reason else ''}"
        return Criterion(cid, False, en, zh, values=values)
    return na(cid, "not evaluable: analyses.dlt.all_doses_too_toxic missing",
               "无法评价：缺少 analyses.dlt.all_doses_too_toxic", **values)
