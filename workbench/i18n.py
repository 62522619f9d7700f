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
})
