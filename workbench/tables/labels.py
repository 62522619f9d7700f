"""Every table title, column header and note in Chinese and English (one place)."""
from __future__ import annotations

from .table import Table

TITLES: dict[str, tuple[str, str]] = {
    "disposition": ("受试者分布", "Subject disposition"),
    "demographics": ("人口学及基线特征", "Demographics and baseline characteristics"),
    "exposure": ("给药暴露", "Exposure to study treatment"),
    "ae_overview": ("不良事件概览", "Overview of treatment-emergent adverse events"),
    "ae_soc_pt": ("按系统器官分类及首选术语的 TEAE", "TEAE by system organ class and preferred term"),
    "ae_max_grade": ("按最高分级的 TEAE 受试者", "Subjects by maximum grade of TEAE"),
    "ae_related_soc_pt": ("按系统器官分类及首选术语的相关 TEAE", "Related TEAE by system organ class and preferred term"),
    "ae_leading_to_discontinuation": ("导致停药的 TEAE", "TEAE leading to discontinuation of study treatment"),
    "aesi_soc_pt": ("按系统器官分类及首选术语的特别关注不良事件", "Adverse events of special interest by SOC and PT"),
    "sae_listing": ("严重不良事件列表", "Listing of serious adverse events"),
    "death_listing": ("死亡列表", "Listing of deaths"),
    "lab_summary": ("实验室检查：各访视结果及相对基线变化", "Laboratory values and change from baseline by visit"),
    "lab_shift": ("实验室检查：基线至基线后最差分类的转换", "Laboratory shift from baseline to worst post-baseline"),
    "hepatic": ("肝脏安全性（eDISH）", "Hepatic safety (eDISH)"),
    "hys_law_listing": ("潜在 Hy's law 受试者列表", "Listing of potential Hy's law cases"),
    "vitals_summary": ("生命体征：各访视结果及相对基线变化", "Vital signs and change from baseline by visit"),
    "ecg_summary": ("心电图：各访视结果及相对基线变化", "ECG values and change from baseline by visit"),
    "cm_summary": ("合并用药（按药物分类及名称）", "Concomitant medications by class and term"),
    "deviations": ("方案偏离（按类别）", "Protocol deviations by category"),
    "immunogenicity": ("免疫原性（按访视）", "Immunogenicity by visit"),
}

LISTING_FIELDS: dict[str, tuple[str, str]] = {
    "usubjid": ("受试者", "Subject"), "arm": ("组别", "Arm"), "term": ("术语", "Term"), "soc": ("系统器官分类", "SOC"),
    "onset_day": ("发生研究日", "Onset study day"), "grade": ("分级", "Grade"), "causality": ("因果关系", "Causality"),
    "outcome": ("转归", "Outcome"), "source": ("来源", "Source"), "date": ("日期", "Date"),
    "death_day": ("死亡研究日", "Study day of death"),
    "alt_x": ("ALT 峰值 ×ULN", "Peak ALT ×ULN"), "ast_x": ("AST 峰值 ×ULN", "Peak AST ×ULN"),
    "bili_x": ("总胆红素峰值 ×ULN", "Peak total bilirubin ×ULN"), "alp_x": ("ALP 峰值 ×ULN", "Peak ALP ×ULN"),
}

CATEGORY_LABELS = {"LOW": ("偏低", "Low"), "NORMAL": ("正常", "Normal"), "HIGH": ("偏高", "High"),
                   "ABNORMAL": ("异常", "Abnormal"), None: ("缺失", "Missing")}

DOMAIN_WHAT = {   # domain -> what is unknown without it (中文, English)
    "DM": ("受试者及组别", "subjects and arms"), "EX": ("已给药受试者（安全性分析集）", "who was dosed (the safety population)"),
    "AE": ("不良事件", "adverse events"), "DS": ("受试者处置（完成 / 退出）", "completion and discontinuation"),
    "LB": ("实验室检查结果", "laboratory results"), "VS": ("生命体征", "vital signs"), "EG": ("心电图结果", "ECG results"),
    "CM": ("合并用药", "concomitant medications"), "DV": ("方案偏离", "protocol deviations"),
    "IS": ("免疫原性结果", "immunogenicity results"),
}


def new_table(table_id: str, population: str, kind: str = "table") -> Table:
    zh, en = TITLES[table_id]
    return Table(table_id, zh, en, population, kind=kind)


def missing_domain(t: Table, domain: str) -> Table:
    """The table says why it is empty: the domain is absent (unknown, not zero)."""
    zh, en = DOMAIN_WHAT.get(domain, (domain, domain))
    t.note_zh = f"缺少 {domain} 数据集：{zh}未知（不显示为 0）。"
    t.note_en = f"{domain} is missing: {en} unknown (not shown as 0)."
    t.reason_code = f"no_{domain.lower()}"
    return t


def missing_variable(t: Table, domain: str, variable: str, zh_what: str, en_what: str) -> Table:
    t.note_zh = f"{domain} 中无 {variable} 变量：{zh_what}未知。"
    t.note_en = f"{domain} has no {variable} variable: {en_what} unknown."
    t.reason_code = f"no_{variable.lower()}"
    return t


def nothing_found(t: Table, zh: str, en: str) -> Table:
    """A true empty result (the data are there; nothing meets the criteria)."""
    t.note_zh, t.note_en, t.reason_code = zh, en, "none"
    return t


def failed(table_id: str, exc: BaseException) -> Table:
    t = new_table(table_id, "all")
    t.note_zh = f"无法生成：{type(exc).__name__}: {exc}"
    t.note_en = f"could not be produced: {type(exc).__name__}: {exc}"
    t.reason_code = "error"
    return t
