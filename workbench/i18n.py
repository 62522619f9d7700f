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
