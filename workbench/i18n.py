"""Bilingual labels (Chinese default, English). One table for the CLI, report and app."""
from __future__ import annotations

from .findings import ELEMENT_LABELS, SEVERITY_LABELS, Element, Severity

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("干细胞备案临床研究证据审评工作台", "Stem-cell registered-study evidence workbench"),
    "submission": ("申报资料", "Submission"),
    "proposed_tier": ("建议证据等级", "Proposed evidence tier"),
    "decisive": ("决定性标准", "Decisive criteria"),
    "next_tier": ("升至下一等级所需", "Needed for the next tier"),
    "findings": ("发现", "Findings"),
    "findings_by_severity": ("按严重程度统计的发现", "Findings by severity"),
    "scorecard": ("关键信息完整性记分卡", "Key-information scorecard"),
    "completeness": ("总体完整性", "Overall completeness"),
    "element": ("要素", "Element"),
    "status": ("状态", "Status"),
    "checks_run": ("已运行检查", "Checks run"),
    "severity": ("严重程度", "Severity"),
    "domain": ("数据域", "Domain"),
    "subject": ("受试者", "Subject"),
    "record": ("记录", "Record"),
    "message": ("说明", "Message"),
    "clause": ("指导原则条款", "Guideline clause"),
    "check": ("检查", "Check"),
    "inputs": ("输入文件", "Input files"),
    "input_hash": ("输入文件总哈希", "Combined input hash"),
    "rules": ("规则文件", "Rules file"),
    "complete": ("完整", "complete"),
    "gaps": ("有缺口", "gaps"),
    "unusable": ("不可用", "unusable"),
    "not_applicable": ("不适用", "not applicable"),
    "pass": ("通过", "pass"),
    "fail": ("未通过", "fail"),
    "error": ("出错", "error"),
    "met": ("满足", "met"),
    "not_met": ("不满足", "not met"),
    "not_evaluable": ("无法评估", "not evaluable"),
    "study": ("研究概况", "Study"),
    "product": ("产品", "Product"),
    "cell_type": ("细胞类型", "Cell type"),
    "design": ("设计", "Design"),
    "stage": ("阶段", "Stage"),
    "indication": ("适应症", "Indication"),
    "subjects_dosed": ("给药受试者数", "Subjects dosed"),
    "subjects_enrolled": ("入组受试者数", "Subjects enrolled"),
    "review_time": ("审评耗时", "Review time"),
    "generated_at": ("生成时间", "Generated at"),
    "tool_version": ("工具版本", "Tool version"),
    "no_findings": ("无发现", "No findings"),
    "analyses": ("分析", "Analyses"),
    "tier_criteria": ("分级标准", "Tier criteria"),
    "evidence": ("依据", "Evidence"),
    "criterion": ("标准", "Criterion"),
    "arm": ("组别", "Arm"),
    "arm_label": ("组别名称", "Arm name"),
    "role": ("角色", "Role"),
    "role_rule": ("判定依据", "Decided by"),
    "control": ("对照组", "control"),
    "active": ("试验组", "active"),
    "dose": ("剂量", "Dose"),
    "fact": ("项目", "Item"),
    "value": ("取值", "Value"),
    "origin": ("来源", "Origin"),
    "source": ("出处", "Source"),
    "unknown": ("未知", "unknown"),
}


def t(key: str, lang: str = "zh") -> str:
    """Label in the chosen language (the key itself when unknown)."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def element_label(element: str | Element, lang: str = "zh") -> str:
    zh, en = ELEMENT_LABELS[Element(element)]
    return zh if lang == "zh" else en


def severity_label(severity: str | Severity, lang: str = "zh") -> str:
    zh, en = SEVERITY_LABELS[Severity(severity)]
    return zh if lang == "zh" else en

LABELS.update({
    "all": ("全部", "All"),
    "filter_subject": ("受试者编号", "Subject ID"),
    "filter_text": ("关键词", "Search text"),
    "shown": ("显示", "Showing"),
    "of": ("共", "of"),
    "records": ("相关记录", "Records behind this finding"),
    "no_records": ("该发现没有可定位的数据记录。", "No data records can be located for this finding."),
    "select_finding": ("选择一条发现以查看详情和相关记录。", "Select a finding to see its details and records."),
    "reviewer": ("审评员", "Reviewer"),
    "decision_tier": ("结论等级", "Tier"),
    "reason": ("理由（改判时必填）", "Reason (required to override)"),
    "comment": ("意见", "Comment"),
    "confirm": ("确认建议等级", "Confirm proposal"),
    "override": ("改判", "Override"),
    "signoff": ("签署", "Sign off"),
    "audit_history": ("审计记录", "Audit history"),
    "current_decision": ("当前结论", "Current decision"),
    "no_decision": ("尚未记录结论", "No decision recorded yet"),
    "stale": ("输入文件或规则已变更，此结论基于旧版本，需重新审评。",
              "Inputs or rules changed since this decision: it was made on an earlier version and must be reviewed again."),
    "recorded": ("已记录", "Recorded"),
    "signed_in_as": ("当前审评人", "Signed in as"),
    "identity_source": ("身份来源", "Identity source"),
    "role": ("角色", "Role"),
    "signed_off_by": ("签署", "Signed off by"),
    "decisions_signatures": ("审评结论与签署", "Decisions and signatures"),
    "chain_head": ("审计链末条哈希", "Audit chain head hash"),
    "chain_ok": ("审计链校验通过", "Audit chain verified"),
    "chain_broken": ("审计链校验失败", "Audit chain verification failed"),
    "time": ("时间", "Time"),
    "action": ("操作", "Action"),
    "export_prepare": ("生成导出文件", "Prepare downloads"),
    "download_report": ("下载 report.html", "Download report.html"),
    "download_json": ("下载 review.json", "Download review.json"),
    "open": ("打开", "Open"),
    "submissions": ("申报资料列表", "Submissions"),
    "review_status": ("审评状态", "Review status"),
    "not_reviewed": ("未审评", "not reviewed"),
    "load_problem": ("无法审评", "cannot be reviewed"),
    "back_to_list": ("返回列表", "Back to the list"),
    "portfolio": ("申报组合", "Portfolio"),
    "loading": ("正在载入…", "Loading…"),
    "section_failed": ("此部分无法显示", "This section could not be shown"),
    "lab_test": ("检查项目", "Test"),
    "download_xlsx": ("下载 tables.xlsx", "Download tables.xlsx"),
    "download_docx": ("下载 review.docx", "Download review.docx"),
    "download_csv": ("下载 tables（CSV，zip）", "Download tables (CSV, zip)"),
})

# column headers of result tables (keys of the review.json analyses and of the submission's tables)
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "arm": ("组别", "Arm"), "dose": ("剂量", "Dose"), "dose_unit": ("剂量单位", "Dose unit"),
    "control": ("对照", "Control"), "enrolled": ("入组", "Enrolled"), "dosed": ("给药", "Dosed"),
    "not_dosed": ("未给药", "Not dosed"), "administrations": ("给药次数", "Administrations"), "lots": ("批次", "Lots"),
    "n": ("可评价例数", "Evaluable n"), "n_dlt": ("DLT 例数", "Subjects with DLT"), "rate": ("发生率", "Rate"),
    "ci_low": ("95% CI 下限", "95% CI low"), "ci_high": ("95% CI 上限", "95% CI high"),
    "isotonic": ("保序估计", "Isotonic estimate"), "p_overdose": ("超毒概率", "P(rate > target)"),
    "eliminated": ("已淘汰", "Eliminated"), "MTD": ("MTD", "MTD"), "reason": ("说明", "Reason"),
    "highest_dose_explored": ("最高探索剂量", "Highest dose explored"), "target_rate": ("目标 DLT 率", "Target DLT rate"),
    "any_teae": ("任一 TEAE", "Any TEAE"), "related_teae": ("相关 TEAE", "Related TEAE"),
    "grade3plus": ("≥3 级", "Grade ≥ 3"), "serious": ("严重", "Serious"), "related_serious": ("相关严重", "Related serious"),
    "fatal": ("致死", "Fatal"), "aesi": ("特别关注", "AESI"), "usubjid": ("受试者", "Subject"),
    "aeseq": ("AE 序号", "AESEQ"), "aedecod": ("首选术语", "Preferred term"), "aebodsys": ("系统器官分类", "SOC"),
    "onset_day": ("发生日（距首次给药）", "Onset day"), "date": ("日期", "Date"), "source": ("来源", "Source"),
    "cause": ("原因", "Cause"), "id": ("编号", "ID"), "met": ("是否触发", "Met"), "max_subjects": ("最大例数", "Max subjects"),
    "threshold": ("阈值", "Threshold"), "scope": ("范围", "Scope"), "by_cohort": ("各队列例数", "By cohort"),
    "met_event": ("触发事件", "Event that met the rule"),
    "field": ("项目", "Field"), "value": ("值", "Value"), "origin": ("来源", "Source"), "basis": ("依据", "Basis"),
    "testcd": ("检查项目代码", "Test code"), "visit": ("访视", "Visit"), "endpoint_type": ("终点类型", "Type"),
    "better": ("有利方向", "Better when"),
    "description": ("描述", "Description"), "subjects": ("受试者", "Subjects"),
    "min_days": ("最短天数", "Min days"), "median_days": ("中位天数", "Median days"), "max_days": ("最长天数", "Max days"),
    "meeting_requirement": ("达到要求", "Meeting requirement"), "deaths": ("死亡", "Deaths"),
    "withdrawals": ("退出", "Withdrawals"), "followed_window": ("满 DLT 观察期", "Followed DLT window"),
    "ltfu": ("长期随访", "Long-term follow-up"), "check_id": ("检查", "Check"), "severity": ("严重程度", "Severity"),
    "domain": ("数据域", "Domain"), "record": ("记录", "Record"), "message_zh": ("说明", "Message"),
    "message_en": ("说明", "Message"), "estimate": ("估计值", "Estimate"), "p_value": ("P 值", "p-value"),
    "kind": ("方法", "Method"), "arms": ("组别", "Arms"), "label": ("比较", "Comparison"), "mean": ("均值", "Mean"),
    "sd": ("标准差", "SD"), "attribute": ("质量属性", "Attribute"), "PATH_STATUS": ("路径状态", "Path status"),
    "submission_id": ("申报编号", "Submission"), "title": ("题目", "Title"), "product": ("产品", "Product"),
    "cell_type": ("细胞类型", "Cell type"), "design": ("设计", "Design"), "subjects_dosed": ("给药例数", "Dosed"),
    "tier": ("建议等级", "Proposed tier"), "critical": ("严重", "Critical"), "major": ("主要", "Major"),
    "minor": ("次要", "Minor"), "info": ("提示", "Info"), "completeness": ("完整性", "Completeness"),
    "mtd": ("MTD", "MTD"), "efficacy_signal": ("有效性信号", "Efficacy signal"), "status": ("状态", "Status"),
    "error": ("错误", "Error"), "run_seconds": ("耗时（秒）", "Run time (s)"), "attempts": ("执行次数", "Attempts"),
}


COLUMN_LABELS.update({   # result fields shown in the app's and report's tables (no raw field name reaches a reviewer)
    "aeterm": ("报告术语", "Reported term"), "aestdtc": ("开始日期", "Start date"), "aeendtc": ("结束日期", "End date"),
    "grade": ("分级", "Grade"), "related": ("相关", "Related"), "teae": ("TEAE", "TEAE"),
    "tumour": ("肿瘤相关", "Tumour-related"), "aeout": ("转归", "Outcome"), "day": ("研究日", "Day"),
    "control_arms": ("对照组", "Control arms"), "se": ("标准误", "SE"), "df": ("自由度", "df"),
    "n_control": ("对照组例数", "Control n"), "favourable": ("有利方向", "Favourable"),
    "known": ("已知例数", "Known"), "q1_days": ("下四分位天数", "Q1 days"), "q3_days": ("上四分位天数", "Q3 days"),
    "meeting_pct": ("达到要求（%）", "Meeting requirement (%)"), "meeting_or_died": ("达到要求或死亡", "Meeting or died"),
    "deaths_before_requirement": ("要求期内死亡", "Deaths before the requirement"),
    "followed_window_pct": ("满 DLT 观察期（%）", "Followed DLT window (%)"), "required_days": ("要求随访天数", "Required days"),
    "window_days": ("DLT 观察期（天）", "DLT window (days)"), "unit": ("单位", "Unit"), "numeric": ("数值型", "Numeric"),
    "spec_low": ("标准下限", "Spec low"), "spec_high": ("标准上限", "Spec high"), "spec_text": ("文本标准", "Spec text"),
    "n_lots": ("批次数", "Lots"), "n_out_of_spec": ("不合格批次", "Out of spec"), "clinical_n": ("临床批次数", "Clinical lots"),
    "clinical_mean": ("临床批次均值", "Clinical mean"), "clinical_sd": ("临床批次标准差", "Clinical SD"),
    "lower_3sd": ("均值 − 3SD", "Mean − 3 SD"), "upper_3sd": ("均值 + 3SD", "Mean + 3 SD"), "results": ("结果", "Results"),
    "outside_clinical_range": ("超出临床范围", "Outside clinical range"), "within_spec": ("符合标准", "Within spec"),
    "not_dosed_reasons": ("未给药原因", "Reasons not dosed"), "routes": ("给药途径", "Routes"),
    "total_cells": ("细胞总数", "Total cells"), "in_manifest": ("清单中", "In manifest"),
    "role_rule": ("判定依据", "Decided by"), "role_evidence": ("依据", "Evidence"), "dosed_n": ("给药例数", "Dosed"),
    "level": ("层级", "Level"), "pt": ("首选术语", "Preferred term"), "soc": ("系统器官分类", "SOC"),
    "comparison": ("比较", "Comparison"), "risk_difference": ("风险差", "Risk difference"),
})


def column_label(key: str, lang: str = "zh") -> str:
    pair = COLUMN_LABELS.get(key)
    return key if pair is None else (pair[0] if lang == "zh" else pair[1])

# manifest vocabulary shown to reviewers
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "clinical": ("临床终点", "clinical endpoint"), "validated_surrogate": ("经验证的替代终点", "validated surrogate"),
    "biomarker": ("生物标志物", "biomarker"), "lower": ("越低越好", "lower is better"),
    "higher": ("越高越好", "higher is better"),
    "single_arm": ("单臂", "single arm"), "dose_escalation": ("剂量递增", "dose escalation"),
    "randomized_controlled": ("随机对照", "randomized controlled"),
    "nonrandomized_controlled": ("非随机对照", "non-randomized controlled"),
    "exploratory": ("探索性", "exploratory"), "confirmatory": ("确证性", "confirmatory"),
    "exploratory_and_confirmatory": ("探索性及确证性", "exploratory and confirmatory"),
    "autologous": ("自体", "autologous"), "allogeneic": ("同种异体", "allogeneic"),
    "MSC": ("间充质干细胞", "mesenchymal stem cells"), "ESC_DERIVED": ("胚胎干细胞来源", "ESC-derived"),
    "IPSC_DERIVED": ("诱导多能干细胞来源", "iPSC-derived"), "HSC": ("造血干细胞", "haematopoietic stem cells"),
    "NSC": ("神经干细胞", "neural stem cells"), "OTHER": ("其他", "other"),
    "open": ("开放", "open"), "single": ("单盲", "single blind"), "double": ("双盲", "double blind"),
}


VALUE_LABELS.update({"cohort": ("按队列", "per cohort"), "study": ("全研究", "whole study"),
                     "one_sample": ("单样本 t 检验", "one-sample t-test"), "welch": ("Welch t 检验", "Welch t-test")})


def value_label(value, lang: str = "zh") -> str:
    """A manifest value in words (the value itself when it is free text)."""
    if value is None:
        return "—"
    pair = VALUE_LABELS.get(str(value))
    return str(value) if pair is None else (pair[0] if lang == "zh" else pair[1])


# -- the app's views: filter panel, patient profile, reviewer overlay (issue 15) -----------------------------
LABELS.update({
    "filter_title": ("筛选（适用于所有标签页的表、图、列表和计数）", "Filter (applies to every table, figure, listing and count)"),
    "filter_arm": ("组别", "Arm"), "filter_site": ("中心", "Site"), "filter_sex": ("性别", "Sex"),
    "filter_age": ("年龄段", "Age"), "filter_race": ("种族", "Race"), "filter_flag": ("人群", "Population"),
    "flag_dosed": ("已给药", "Dosed"), "filter_apply": ("应用筛选", "Apply"), "filter_clear": ("清除筛选", "Clear"),
    "filter_none": ("未筛选：显示全部受试者", "No filter: all subjects"), "filter_active": ("筛选中", "Filtered view"),
    "filter_tier_note": ("证据等级始终基于全部受试者提出。", "The evidence tier is always proposed on the whole study."),
    "subjects": ("名受试者", "subjects"), "yes": ("是", "yes"), "no": ("否", "no"),
    "profile_back": ("返回", "Back"), "profile_of": ("受试者档案", "Subject profile"),
    "profile_exposure": ("给药记录（剂量、批号）", "Exposure (dose, lot)"),
    "profile_ae": ("不良事件", "Adverse events"), "profile_labs": ("超出参考范围的实验室结果", "Laboratory results out of range"),
    "profile_visits": ("访视", "Visits"), "profile_cm": ("合并用药", "Concomitant medications"),
    "profile_ds": ("处置", "Disposition"), "profile_findings": ("与该受试者有关的发现", "Findings about this subject"),
    "none_recorded": ("无记录", "none recorded"), "open_profile": ("查看受试者档案", "Open the subject's profile"),
    "overlay_title": ("审评人员补充信息（数据无法说明的研究信息）", "Reviewer-supplied facts (what the data cannot tell)"),
    "ov_explain": ("申报资料缺少或未完整提供 submission.yaml 时，审评人员可在此说明产品细胞类型、设计、对照组、主要终点和要求随访时间。"
                   "补充信息与审评结论保存在同一审计链中，不会写入申报资料；使用处均标明“审评人员补充”。",
                   "When submission.yaml is missing or incomplete, state the product's cell type, the design, the control "
                   "arm, the primary endpoint and the required follow-up here. It is kept in the same audit chain as the "
                   "decisions, never written into the submission, and shown as reviewer-supplied wherever it is used."),
    "ov_source": ("来源", "Source"), "ov_blinding": ("盲法", "Blinding"), "ov_control": ("对照组", "Control arm(s)"),
    "ov_ep_domain": ("终点数据域", "Endpoint domain"), "ov_ep_testcd": ("终点检测代码", "Endpoint test code"),
    "ov_ep_visit": ("终点访视", "Endpoint visit"), "ov_ep_type": ("终点类型", "Endpoint type"),
    "ov_ep_better": ("有利方向", "Better when"), "ov_followup": ("要求随访天数", "Required follow-up (days)"),
    "ov_note": ("依据", "Basis"), "ov_note_hint": ("例如：方案概要第 3 页", "e.g. protocol synopsis, p. 3"),
    "ov_save": ("保存补充信息并重新审评", "Save and re-review"), "ov_saved": ("已保存并重新审评", "Saved; review recomputed"),
    "ov_no_store": ("审评结论库不可用，无法保存", "The decision store is unavailable: nothing saved"),
    "overlay_in_force": ("审评人员补充信息生效中", "Reviewer-supplied facts in force"),
})
COLUMN_LABELS.update({
    "SITEID": ("中心", "Site"), "AGE": ("年龄", "Age"), "AGEU": ("年龄单位", "Age unit"), "SEX": ("性别", "Sex"),
    "RACE": ("种族", "Race"), "ETHNIC": ("民族", "Ethnicity"), "ARM": ("实际组别", "Actual arm"),
    "ARM_LABEL": ("组别名称", "Arm name"), "PLANNED_ARM": ("计划组别", "Planned arm"),
    "ARM_STATUS": ("无组别原因", "No-arm reason"), "FIRST_DOSE": ("首次给药", "First dose"),
    "CONSENT": ("知情同意", "Consent"), "CONSENT_SOURCE": ("知情同意来源", "Consent source"),
    "LAST_CONTACT": ("末次联系", "Last contact"), "FOLLOW_UP_DAYS": ("随访天数", "Follow-up days"),
    "DIED": ("死亡", "Died"), "DISPOSITION": ("处置", "Disposition"), "DAY": ("研究日", "Study day"),
    "EXSEQ": ("给药序号", "Seq"), "EXTRT": ("给药", "Treatment"), "EXDOSE": ("剂量", "Dose"), "EXDOSU": ("单位", "Unit"),
    "EXLOT": ("批号", "Lot"), "EXROUTE": ("途径", "Route"), "EXSTDTC": ("开始", "Start"), "EXENDTC": ("结束", "End"),
    "AESEQ": ("序号", "Seq"), "AETERM": ("报告术语", "Reported term"), "AEDECOD": ("首选术语", "Preferred term"),
    "AEBODSYS": ("系统器官分类", "SOC"), "AESTDTC": ("开始", "Start"), "AEENDTC": ("结束", "End"),
    "AETOXGR": ("分级", "Grade"), "AESEV": ("严重程度", "Severity"), "AESER": ("严重", "Serious"),
    "AEREL": ("相关性", "Causality"), "AEOUT": ("结局", "Outcome"), "AEACN": ("采取措施", "Action taken"),
    "TEAE": ("治疗期", "Treatment-emergent"), "RELATED": ("按相关计", "Counted related"),
    "SERIOUS": ("按严重计", "Counted serious"), "GRADE": ("分级（推导）", "Grade (derived)"),
    "LBTESTCD": ("检测代码", "Test code"), "LBTEST": ("检测项目", "Test"), "VISIT": ("访视", "Visit"),
    "LBDTC": ("日期", "Date"), "LBORRES": ("原始结果", "Result"), "LBORRESU": ("原始单位", "Unit"),
    "LBSTRESN": ("标准化结果", "Standard result"), "LBSTRESU": ("标准单位", "Standard unit"),
    "LBSTNRLO": ("参考下限", "Range low"), "LBSTNRHI": ("参考上限", "Range high"), "LBNRIND": ("范围判定", "Range flag"),
    "VISITNUM": ("访视编号", "Visit no."), "SVSTDTC": ("开始", "Start"), "SVENDTC": ("结束", "End"),
    "EPOCH": ("阶段", "Epoch"), "SVEPOCH": ("阶段", "Epoch"), "CMSEQ": ("序号", "Seq"), "CMTRT": ("药物", "Medication"),
    "CMDECOD": ("标准药名", "Standard name"), "CMCLAS": ("药物类别", "Class"), "CMDOSE": ("剂量", "Dose"),
    "CMDOSU": ("单位", "Unit"), "CMSTDTC": ("开始", "Start"), "CMENDTC": ("结束", "End"), "CMINDC": ("适应症", "Indication"),
    "DSSEQ": ("序号", "Seq"), "DSCAT": ("类别", "Category"), "DSDECOD": ("处置", "Disposition"),
    "DSTERM": ("描述", "Term"), "DSSTDTC": ("日期", "Date"),
})


def humanise(text: str, lang: str = "zh") -> str:
    """Free text with the project's enumerated codes (``randomized_controlled``, ``dose_escalation`` …) in words."""
    if "_" not in text:
        return text
    import re

    return re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: value_label(m.group(0), lang) if m.group(0) in VALUE_LABELS
                  else m.group(0), text)
