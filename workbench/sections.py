"""What each review section shows: tables and figures built from review results (shared by app and report).

A block is a titled table (DataFrame) or figure (plotly Figure). Building a block never raises: a
block that cannot be built becomes a note saying why, so one broken figure never hides the rest.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import guideline_blocks as gb

log = logging.getLogger(__name__)

SECTIONS = {
    "overview": ("概览", "Overview"),
    "completeness": ("完整性", "Completeness"),
    "traceability": ("可追溯性", "Traceability"),
    "process_quality": ("工艺与质量", "Process & quality"),
    "dose_response": ("剂量反应", "Dose–response"),
    "safety": ("安全性", "Safety"),
    "follow_up": ("随访", "Follow-up"),
    "reconciliation": ("数据包与 ADaM", "Package & ADaM"),
    "tier": ("证据等级", "Evidence tier"),
    "export": ("导出", "Export"),
}


@dataclass
class Block:
    kind: str               # "table" | "figure" | "note"
    title_zh: str
    title_en: str
    table: pd.DataFrame | None = None
    figure: object | None = None
    note_zh: str = ""
    note_en: str = ""
    std_table: object | None = None     # kind "std": a workbench.tables.Table (formatted by tables.table_html)
    code: str | None = None             # the few lines of public-API Python that rebuild it ("code" toggle)
    choices: list | None = None         # (value, label) pairs a reviewer can switch between (e.g. the lab test)
    choice: str | None = None

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def note(self, lang: str) -> str:
        return self.note_zh if lang == "zh" else self.note_en


def _safe(title_zh: str, title_en: str, build: Callable[[], object], kind: str) -> Block | None:
    try:
        value = build()
    except Exception as exc:  # noqa: BLE001 - a failing block is reported, the rest still shows
        log.exception("section block %s failed", title_en)
        return Block("note", title_zh, title_en, note_zh=f"无法生成：{type(exc).__name__}: {exc}",
                     note_en=f"could not be produced: {type(exc).__name__}: {exc}")
    if value is None:
        return None
    if isinstance(value, Block):   # a builder that says why it has nothing to show (under the section's title)
        return Block(value.kind, title_zh, title_en, value.table, value.figure, value.note_zh, value.note_en)
    if kind == "std":   # a standard table: titled by itself, formatted by workbench.tables.table_html
        return Block("std", value.title_zh, value.title_en, std_table=value)
    if kind == "table":
        df = value if isinstance(value, pd.DataFrame) else pd.DataFrame(value)
        if df.empty:
            return Block("note", title_zh, title_en, note_zh="无数据", note_en="no data")
        return Block("table", title_zh, title_en, table=df)
    return Block("figure", title_zh, title_en, figure=value)


def _rows(d, *path):
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def section_blocks(review, section: str, lang: str = "zh") -> list[Block]:
    """Blocks of one section for a review (tables from results, figures from workbench.figures)."""
    builders = _BUILDERS.get(section)
    if builders is None:
        return []
    blocks = []
    for title_zh, title_en, kind, fn in builders:
        b = _safe(title_zh, title_en, lambda fn=fn: fn(review, lang), kind)
        if b is None:
            continue
        if b.kind == "figure" and isinstance(b.figure, dict):  # several titled figures (e.g. one per attribute)
            blocks.extend(_with_code(Block("figure", f"{title_zh}：{name}", f"{title_en}: {name}", figure=fig),
                                     review, fn, lang, name) for name, fig in b.figure.items())
        else:
            blocks.append(_with_code(b, review, fn, lang))
    return blocks


def _with_code(b: Block, review, fn, lang: str, name: str | None = None) -> Block:
    """The block with its "code" toggle (and, for the lab figure, the tests to choose from)."""
    from .snippets import figure_code, table_code

    try:
        if b.kind == "std":
            b.code = table_code(review, b.std_table.id, lang)
        elif b.kind == "figure" and getattr(fn, "hook", None):
            b.code = figure_code(review, fn.hook, lang, name)
            if fn.hook == "lab_over_time" and review.analyses is not None:
                from .figures.labs import default_test, lab_tests

                labs = getattr(review.analyses, "labs", None)
                b.choices, b.choice = lab_tests(labs), default_test(labs)
    except Exception:  # noqa: BLE001 - the code toggle is an aid: never lose the block for it
        log.exception("code snippet for %s failed", b.title_en)
    return b


# -- table builders ------------------------------------------------------------------------------------------

def _an(review) -> dict:
    return review.analyses_dict() or {}


def _documents(review, lang):
    docs = review.submission.documents
    if docs is None:
        return pd.DataFrame()
    cols = [c for c in ("DOCID", "DOCTYPE", "TITLE", "VERSION", "DATE", "SITEID", "USUBJID", "LOTID", "PATH",
                        "PATH_STATUS") if c in docs.columns]
    return docs[cols]


def _lots(review, lang):
    b = review.submission.batches
    return b if b is not None else pd.DataFrame()


def _findings_of(*check_ids):
    def build(review, lang):
        rows = [f.to_dict() for f in review.findings if f.check_id in check_ids]
        df = pd.DataFrame(rows)
        if df.empty:
            return df
        msg = "message_zh" if lang == "zh" else "message_en"
        return df[["check_id", "severity", "domain", "usubjid", "record", msg]]
    return build


def _dict_table(*path):
    def build(review, lang):
        rows = _rows(_an(review), *path)
        return pd.DataFrame(rows if isinstance(rows, list) else [])
    return build


def _efficacy_table(review, lang):
    eff = _an(review).get("efficacy") or {}
    rows = list(eff.get("comparisons") or [])
    if not rows and eff.get("comparison"):
        rows = [eff["comparison"]]
    return pd.DataFrame(rows)


def _mtd_table(review, lang):
    dlt = _an(review).get("dlt") or {}
    if not dlt.get("levels"):
        return None
    mtd = dlt.get("mtd")
    return pd.DataFrame([{"MTD": (mtd or {}).get("arm"), "dose": (mtd or {}).get("dose"),
                          "reason": dlt.get("mtd_reason"), "highest_dose_explored": dlt.get("highest_dose_explored"),
                          "above_explored": ", ".join(dlt.get("above_explored") or []) or "—",
                          "target_rate": dlt.get("target_rate"), "window_days": dlt.get("window_days")}])


def _arms(review, lang):
    """The study model's arms: code as in the data, label, role with the rule that decided it, dose."""
    from .i18n import t
    from .study import role_rule_text

    arms = review.submission.study.arms
    rows = []
    for a in arms.itertuples():
        unit = a.DOSE_UNIT if isinstance(a.DOSE_UNIT, str) else ""
        dose = t("unknown", lang) if a.DOSE is None or a.DOSE != a.DOSE else f"{a.DOSE:.4g} {unit}".strip()
        if a.DOSE_MAX == a.DOSE_MAX and a.DOSE_MAX is not None and a.DOSE == a.DOSE and a.DOSE_MAX > a.DOSE:
            dose += f"（最高 {a.DOSE_MAX:.4g}）" if lang == "zh" else f" (up to {a.DOSE_MAX:.4g})"
        rows.append({t("arm", lang): a.ARM, t("arm_label", lang): a.LABEL if isinstance(a.LABEL, str) else "—",
                     t("role", lang): t("control" if a.CONTROL else "active", lang),
                     t("role_rule", lang): role_rule_text(a.ROLE_RULE, a.ROLE_EVIDENCE if isinstance(
                         a.ROLE_EVIDENCE, str) else None, lang),
                     t("dose", lang): dose})
    return pd.DataFrame(rows)


# -- figure builders (workbench.figures; wired per figure function) -----------------------------------------

def _fig(name: str):
    def build(review, lang):
        from . import figure_hooks

        return getattr(figure_hooks, name)(review, lang)
    build.hook = name
    return build


def _std(table_id: str):
    """A standard table of the review (workbench.tables), built with the review."""
    def build(review, lang):
        t = review.table(table_id) if getattr(review, "tables", None) is not None else None
        if t is None:
            from .tables import build_table

            t = build_table(review.submission, table_id)
        return t
    build.table_id = table_id
    return build


def _rec(name: str):
    def build(review, lang):
        from .reconciliation import views

        return getattr(views, name)(review, lang)
    return build


from . import study_blocks as sb  # noqa: E402 - its builders use Block and the helpers above

_BUILDERS: dict[str, list[tuple[str, str, str, Callable]]] = {
    "overview": [
        ("组别", "Arms", "table", _arms),
        ("审评人员补充信息（不写入申报资料）", "Reviewer-supplied facts (never written into the submission)", "table",
         sb.overlay_table),
        ("研究信息及来源", "Study facts and their source", "table", sb.facts),
        ("审评规则对申报值的替代", "Reviewer's rules over the sponsor's declarations", "table", gb.overrides),
        ("在用研究参数", "Study parameters in force", "table", gb.parameters),
        ("受试者分布", "Subject disposition", "std", _std("disposition")),
        ("人口学及基线特征", "Demographics", "std", _std("demographics")),
        ("关键信息完整性热图", "Completeness heatmap", "figure", _fig("completeness")),
    ],
    "traceability": [
        ("必备文件", "Essential documents", "table", _documents),
        ("批次记录", "Lots", "table", _lots),
        ("文件与日期相关发现", "Document and date findings", "table",
         _findings_of("TRC-001", "TRC-002", "TRC-003", "TRC-004", "TRC-006", "TRC-007", "CMC-006")),
        ("方案偏离", "Protocol deviations", "std", _std("deviations")),
    ],
    "process_quality": [
        ("CMC 控制图", "CMC control charts", "figure", _fig("cmc")),
        ("质量属性汇总", "Quality attributes", "table", _dict_table("cmc", "attributes")),
        ("批次记录", "Lots", "table", _lots),
        ("工艺与质量相关发现", "Process and quality findings", "table",
         _findings_of("CMC-001", "CMC-002", "CMC-003", "CMC-004", "CMC-005", "CMC-006")),
    ],
    "dose_response": [
        ("剂量-DLT 关系", "Dose–DLT response", "figure", _fig("dose_response")),
        ("各剂量组 DLT", "DLT by dose level", "table", _dict_table("dlt", "levels")),
        ("最大耐受剂量", "Maximum tolerated dose", "table", _mtd_table),
        ("已探索剂量范围与后续阶段（G-2.2.2c）", "Dose range explored and the next stage (G-2.2.2c)", "table",
         gb.explored),
        ("各剂量组疗效", "Efficacy by dose", "figure", _fig("efficacy")),
        ("主要终点及来源", "Primary endpoint and its source", "table", sb.endpoint_table),
        ("疗效比较", "Efficacy comparison", "table", _efficacy_table),
        ("按研究中心的疗效与不良事件（G-2.1.3b）", "Efficacy and adverse events by site (G-2.1.3b)", "table",
         gb.by_group("site")),
        ("按操作者的疗效与不良事件（G-2.1.3b）", "Efficacy and adverse events by operator (G-2.1.3b)", "table",
         gb.by_group("operator")),
        ("暴露", "Exposure", "std", _std("exposure")),
    ],
    "safety": [
        ("不良事件概览", "Adverse events overview", "std", _std("ae_overview")),
        ("按 SOC / PT 的 TEAE", "TEAE by SOC and PT", "std", _std("ae_soc_pt")),
        ("按系统器官分类的 TEAE", "TEAE by SOC and arm", "figure", _fig("soc_heatmap")),
        ("常见首选术语", "Most frequent preferred terms", "figure", _fig("top_pts")),
        ("按最高分级的 TEAE", "TEAE by maximum grade", "std", _std("ae_max_grade")),
        ("相关 TEAE", "Related TEAE", "std", _std("ae_related_soc_pt")),
        ("导致停药的 TEAE", "TEAE leading to discontinuation", "std", _std("ae_leading_to_discontinuation")),
        ("特别关注的不良事件（SOC / PT）", "AESI by SOC and PT", "std", _std("aesi_soc_pt")),
        ("严重不良事件列表", "Serious adverse events", "std", _std("sae_listing")),
        ("死亡列表", "Deaths", "std", _std("death_listing")),
        ("风险差森林图", "Risk-difference forest plot", "figure", _fig("forest")),
        ("受试者时间线", "Subject timelines", "figure", _fig("swimmer")),
        ("首次严重 TEAE 的 Kaplan–Meier 曲线", "Kaplan–Meier: first serious TEAE", "figure", _fig("km")),
        ("特别关注的不良事件", "Adverse events of special interest", "table", _dict_table("safety", "aesi")),
        ("迟发事件（首次给药 365 天后）", "Late events (> 365 days after first dose)", "table",
         _dict_table("safety", "late_events")),
        ("停止规则", "Stopping rules", "table", sb.stopping_rules_table),
        ("肝脏安全性", "Hepatic safety", "std", _std("hepatic")),
        ("eDISH", "eDISH", "figure", _fig("edish")),
        ("潜在 Hy's law 列表", "Potential Hy's law cases", "std", _std("hys_law_listing")),
        ("实验室检查转换", "Laboratory shift", "std", _std("lab_shift")),
        ("实验室检查各访视汇总", "Laboratory values by visit", "std", _std("lab_summary")),
        ("实验室检查随时间变化", "Laboratory values over time", "figure", _fig("lab_over_time")),
        ("生命体征", "Vital signs", "std", _std("vitals_summary")),
        ("心电图", "ECG", "std", _std("ecg_summary")),
        ("免疫原性", "Immunogenicity", "std", _std("immunogenicity")),
        ("合并用药", "Concomitant medications", "std", _std("cm_summary")),
    ],
    "follow_up": [
        ("随访时长与要求", "Follow-up against the requirement", "figure", _fig("follow_up")),
        ("各组随访", "Follow-up by arm", "table", _dict_table("follow_up")),
        ("随访相关发现", "Follow-up findings", "table", _findings_of("FUP-001", "FUP-002", "FUP-003", "FUP-004",
                                                                   "FUP-005")),
        ("疗效随访视的持续性（G-2.3.2b）", "Durability of the response over visits (G-2.3.2b)", "table",
         gb.durability),
        ("目标访视应答的维持", "Responses sustained after the target visit", "table", gb.sustained),
        ("免疫原性（IS；G-2.3.2b、G-3.1a）", "Immunogenicity (IS; G-2.3.2b, G-3.1a)", "table", gb.immunogenicity),
        ("细胞体内存续与分布（PC/PP；G-2.2.1、G-3.1a）", "Cell persistence and biodistribution (PC/PP; G-2.2.1, G-3.1a)",
         "table", gb.persistence),
    ],
    "reconciliation": [   # docs/package.md: the CDE data package and the ADaM datasets against the SDTM
        ("核对汇总", "Reconciliation summary", "table", _rec("summary")),
        ("不一致清单", "Disagreements", "table", _rec("listing")),
        ("数据包内容", "Data package contents", "table", _rec("package_files")),
        ("数据包与核对相关发现", "Package and reconciliation findings", "table",
         _findings_of("PKG-001", "PKG-002", "PKG-003", "REC-001", "REC-002", "REC-003", "REC-004", "REC-005")),
    ],
}
