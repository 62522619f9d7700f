"""Static, self-contained, bilingual HTML report of one review (plotly.js inlined once; works offline)."""
from __future__ import annotations

import logging
from pathlib import Path

import jinja2

from .findings import ELEMENT_LABELS, SEVERITY_LABELS

log = logging.getLogger(__name__)

CARD_ROWS = [
    ("product", "产品", "Product"), ("cell_type", "细胞类型", "Cell type"), ("source", "来源", "Source"),
    ("indication", "适应症", "Indication"), ("design", "设计", "Design"), ("stage", "阶段", "Stage"),
    ("first_in_human", "首次人体试验", "First in human"), ("blinding", "盲法", "Blinding"),
    ("subjects_in_dm", "DM 中受试者", "Subjects in DM"), ("subjects_enrolled", "入组", "Enrolled"),
    ("subjects_dosed", "给药", "Dosed"), ("sites", "研究中心", "Sites"),
    ("required_followup_days", "要求随访天数", "Required follow-up (days)"),
]
STATUS_ZH = {"complete": "完整", "gaps": "有缺口", "unusable": "不可用"}


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                              autoescape=jinja2.select_autoescape(["html", "j2"]))


def signatures_section(audit, tz: str = "UTC") -> dict | None:
    """The report's "Decisions and signatures" section: signature rows in both languages, chain head, verification."""
    if audit is None:
        return None
    from .audit import verification_text
    from .store import signature_rows

    fields = ("seq", "time", "printed_name", "identity", "identity_source", "meaning", "tier", "statement")
    entries = audit.decisions
    rows = [{"zh": zh, "en": en} for zh, en in zip(signature_rows(entries, "zh", tz), signature_rows(entries, "en", tz))]
    return {"rows": rows, "fields": fields, "head_seq": audit.verify.head_seq, "head_hash": audit.verify.head_hash,
            "verified": audit.verify.ok, "verification": verification_text(audit.verify), "store": audit.store}


def render_report(review, lang: str = "zh", doc: dict | None = None, max_findings: int = 2000,
                  max_inputs: int = 500, audit=None, tz: str = "UTC") -> str:
    """The report as one HTML string: study card, tier, decisions and signatures (when ``audit``, a
    :class:`workbench.audit.AuditTrail`, is given), scorecard, findings, analyses figures, inputs."""
    from .report_sections import report_sections
    from .store.signatures import signature_labels

    doc = doc if doc is not None else review.to_dict()
    sections = report_sections(review, doc)
    return _env().get_template("report.html.j2").render(
        doc=doc, lang=lang, study=doc.get("study", {}), tier=doc.get("tier"), card_rows=CARD_ROWS,
        elements=[(el.value, zh, en) for el, (zh, en) in ELEMENT_LABELS.items()],
        sev_zh={s.value: zh for s, (zh, en) in SEVERITY_LABELS.items()}, status_zh=STATUS_ZH,
        figure_sections=sections, max_findings=max_findings, max_inputs=max_inputs,
        signatures=signatures_section(audit, tz), sig_zh=signature_labels("zh"), sig_en=signature_labels("en"))
