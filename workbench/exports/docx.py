"""review.docx (python-docx): the reviewer's report in one language — study card, proposed tier with every
criterion, scorecard, findings, every standard table with its title and footnotes, and the review's figures as
images (rendered offline, :mod:`workbench.exports.images`)."""
from __future__ import annotations

import io

from ..findings import ELEMENT_LABELS, SEVERITY_LABELS
from ..i18n import value_label
from ..tables.format import cell_text
from ..tables.table import Table

MAX_TABLE_ROWS = 300        # rows of one table in Word; the whole table is in tables.xlsx and review.json
MAX_FINDINGS = 300
FIGURE_SECTIONS = ("overview", "dose_response", "safety", "follow_up", "process_quality")
MAX_FIGURES = 12   # each costs about 0.25 s of Chromium, plus about 3 s to start it
EAST_ASIAN_FONT = "SimSun"   # 宋体, the usual Chinese body font of official documents

W = {   # (中文, English)
    "title": ("干细胞备案临床研究证据审评报告", "Stem-cell registered-study evidence review"),
    "generated": ("生成时间", "Generated"), "tool": ("工具版本", "Tool version"), "rules": ("规则", "Rules"),
    "study": ("研究概况", "Study"), "tier": ("建议证据等级", "Proposed evidence tier"),
    "criterion": ("标准", "Criterion"), "met": ("结果", "Met"), "evidence": ("依据", "Evidence"),
    "next": ("升至下一等级所需", "Needed for the next tier"), "scorecard": ("关键信息完整性记分卡", "Key-information scorecard"),
    "element": ("要素", "Element"), "status": ("状态", "Status"), "findings": ("发现", "Findings"),
    "check": ("检查", "Check"), "severity": ("严重程度", "Severity"), "domain": ("数据域", "Domain"),
    "subject": ("受试者", "Subject"), "message": ("说明", "Message"), "none": ("无", "None"),
    "tables": ("标准表格", "Standard tables"), "figures": ("图", "Figures"),
    "population": ("分析人群", "Population"), "item": ("项目", "Item"),
    "more_rows": ("仅列出前 {n} 行，共 {m} 行；完整表格见 tables.xlsx。", "First {n} of {m} rows; the whole table is in "
                  "tables.xlsx."),
    "more_findings": ("仅列出前 {n} 条，共 {m} 条；全部见 review.json。", "First {n} of {m}; all of them in review.json."),
    "no_images": ("图未能生成：{reason}", "Figures not included: {reason}"),
    "no_image": ("此图未能生成。", "This figure could not be rendered."),
    "yes": ("是", "yes"), "no": ("否", "no"),
    "signatures": ("审评结论与签署", "Decisions and signatures"),
    "no_signatures": ("尚无审评结论或签署。", "No decision or sign-off recorded yet."),
    "chain": ("审计链末条 #{seq} {hash} · 校验：{verification}", "Audit chain head #{seq} {hash} · verification: {verification}"),
}
SIGNATURE_FIELDS = ("seq", "time", "printed_name", "identity", "identity_source", "meaning", "tier", "statement")
STATUS = {"complete": ("完整", "complete"), "gaps": ("有缺口", "gaps"), "unusable": ("不可用", "unusable")}
CARD = (("product", "产品", "Product"), ("cell_type", "细胞类型", "Cell type"), ("indication", "适应症", "Indication"),
        ("design", "设计", "Design"), ("stage", "阶段", "Stage"), ("blinding", "盲法", "Blinding"),
        ("first_in_human", "首次人体试验", "First in human"), ("subjects_in_dm", "DM 中受试者", "Subjects in DM"),
        ("subjects_enrolled", "入组", "Enrolled"), ("subjects_dosed", "给药", "Dosed"), ("sites", "研究中心", "Sites"),
        ("required_followup_days", "要求随访天数", "Required follow-up (days)"))


def _w(key: str, lang: str, **fmt) -> str:
    zh, en = W[key]
    return (zh if lang == "zh" else en).format(**fmt)


def _v(v, lang: str) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return _w("yes" if v else "no", lang)
    return value_label(v, lang) if isinstance(v, str) else str(v)


def _signatures(word, audit, lang: str, tz: str) -> None:
    from ..audit import verification_text
    from ..store import signature_labels, signature_rows

    word.add_heading(_w("signatures", lang), level=1)
    rows = signature_rows(audit.decisions, lang, tz)
    if rows:
        labels = signature_labels(lang)
        _grid(word, [labels[f] for f in SIGNATURE_FIELDS], [[str(r[f]) for f in SIGNATURE_FIELDS] for r in rows])
    else:
        word.add_paragraph(_w("no_signatures", lang))
    v = audit.verify
    word.add_paragraph(_w("chain", lang, seq="—" if v.head_seq is None else v.head_seq, hash=v.head_hash or "—",
                          verification=verification_text(v)))


def _grid(doc, header: list[str], rows: list[list[str]], widths=None):
    """A Word table (Table Grid style) filled row by row (python-docx cell access is by row, once)."""
    table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    for row, values in zip(table.rows[1:], rows):
        for cell, text in zip(row.cells, values):
            cell.text = text
    return table


def _std_table(doc, t: Table, lang: str) -> None:
    from docx.shared import Pt

    doc.add_heading(t.title(lang), level=2)
    doc.add_paragraph(f"{_w('population', lang)}: {t.population_label(lang)}")
    if t.empty and t.note(lang):
        doc.add_paragraph(t.note(lang)).runs[0].italic = True
    elif t.rows:
        rows = t.rows[:MAX_TABLE_ROWS]
        heads = [f"{c.title(lang)} (N={c.n})" if c.n is not None else c.title(lang) for c in t.columns]
        if t.kind == "listing":
            data = [[cell_text(r.cells.get(c.key), lang) for c in t.columns] for r in rows]
            _grid(doc, heads, data)
        else:
            data = [["\u3000" * r.level + r.label(lang)] + [cell_text(r.cells.get(c.key), lang) for c in t.columns]
                    for r in rows]
            _grid(doc, [_w("item", lang)] + heads, data)
        if len(t.rows) > MAX_TABLE_ROWS:
            doc.add_paragraph(_w("more_rows", lang, n=MAX_TABLE_ROWS, m=len(t.rows)))
    for f in t.footnotes(lang):
        p = doc.add_paragraph(f)
        for run in p.runs:
            run.font.size = Pt(8)


FIGURE_PRIORITY = ("completeness", "dose_response", "efficacy", "soc_heatmap", "top_pts", "forest", "km", "edish",
                   "lab_over_time", "follow_up", "swimmer")   # then the CMC control charts, up to MAX_FIGURES


def figures_for_docx(review, lang: str) -> list[tuple[str, object]]:
    """(title, figure) of the review's figures the document shows: the key ones first, at most MAX_FIGURES."""
    from .. import figure_hooks
    from ..sections import section_blocks

    out = []
    for hook in FIGURE_PRIORITY:
        try:
            fig = getattr(figure_hooks, hook)(review, lang)
        except Exception:  # noqa: BLE001 - a figure that cannot be drawn is left out, never the document
            fig = None
        if fig is not None and not isinstance(fig, dict):
            title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else hook
            out.append((title.split("<br>")[0], fig))
    for b in section_blocks(review, "process_quality", lang):
        if b.kind == "figure" and b.figure is not None:
            out.append((b.title(lang), b.figure))
    return out[:MAX_FIGURES]


def start_images(review, lang: str):
    """Start rendering the document's figures (:class:`workbench.exports.images.RenderJob`)."""
    from .images import RenderJob

    figs = figures_for_docx(review, lang)
    return RenderJob([t for t, _ in figs], [f for _, f in figs])


def review_docx(review, lang: str = "zh", doc: dict | None = None, images=True, audit=None,
                tz: str = "UTC") -> tuple[bytes, dict]:
    """The document as bytes, and what was left out (``{"images_reason": ...}``). ``images``: True (render the
    figures now), False (leave them out), or a :func:`start_images` job already running. ``audit``: a
    :class:`workbench.audit.AuditTrail`: its decisions and signatures (printed name, identity, time with zone,
    meaning) and the chain head follow the tier, as in report.html."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    d = doc if doc is not None else review.to_dict()
    word = Document()
    normal = word.styles["Normal"]
    normal.font.size = Pt(9.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    word.add_heading(_w("title", lang), level=0)
    study = d.get("study", {})
    word.add_paragraph(f"{d.get('submission_id')}" + (f" · {study['title']}" if study.get("title") else ""))
    rules = d.get("rules") or {}
    word.add_paragraph(f"{_w('generated', lang)}: {d.get('generated_at')} · {_w('tool', lang)}: "
                       f"{d.get('tool_version')} · {_w('rules', lang)}: {rules.get('path', 'default')}")

    word.add_heading(_w("study", lang), level=1)
    _grid(word, [_w("item", lang), ""], [[zh if lang == "zh" else en, _v(study.get(k), lang)] for k, zh, en in CARD])

    tier = d.get("tier")
    if tier:
        word.add_heading(_w("tier", lang), level=1)
        p = word.add_paragraph()
        p.add_run(f"{tier['proposed']} · {tier['label_zh'] if lang == 'zh' else tier['label_en']}").bold = True
        summary = tier.get("summary_zh" if lang == "zh" else "summary_en")
        if summary:
            word.add_paragraph(summary)
        rows = [[c["id"], "—" if c["met"] is None else ("✔" if c["met"] else "✘"),
                 (c.get("evidence_zh") or c.get("evidence") or "") if lang == "zh" else (c.get("evidence") or "")]
                for c in tier.get("criteria", [])]
        _grid(word, [_w("criterion", lang), _w("met", lang), _w("evidence", lang)], rows)
        needs = tier.get("next_tier_needs_zh" if lang == "zh" else "next_tier_needs") or []
        if needs:
            word.add_paragraph(f"{_w('next', lang)}: " + ("；".join(needs) if lang == "zh" else "; ".join(needs)))

    if audit is not None:
        _signatures(word, audit, lang, tz)

    word.add_heading(_w("scorecard", lang), level=1)
    sev = {s.value: pair for s, pair in SEVERITY_LABELS.items()}
    rows = []
    for el, (zh, en) in ELEMENT_LABELS.items():
        r = d.get("scorecard", {}).get(el.value, {})
        st = STATUS.get(r.get("status"), (r.get("status"), r.get("status")))
        rows.append([zh if lang == "zh" else en, st[0] if lang == "zh" else st[1]] +
                    [str(r.get(k, "")) for k in ("critical", "major", "minor", "info")])
    _grid(word, [_w("element", lang), _w("status", lang)] + [sev[k][0] if lang == "zh" else sev[k][1]
                                                              for k in ("critical", "major", "minor", "info")], rows)

    findings = d.get("findings", [])
    word.add_heading(f"{_w('findings', lang)} ({len(findings)})", level=1)
    if findings:
        rows = [[f["check_id"], sev.get(f["severity"], (f["severity"],) * 2)[0 if lang == "zh" else 1],
                 f.get("domain") or "", f.get("usubjid") or "", f.get("message_zh" if lang == "zh" else "message_en")]
                for f in findings[:MAX_FINDINGS]]
        _grid(word, [_w(k, lang) for k in ("check", "severity", "domain", "subject", "message")], rows)
        if len(findings) > MAX_FINDINGS:
            word.add_paragraph(_w("more_findings", lang, n=MAX_FINDINGS, m=len(findings)))
    else:
        word.add_paragraph(_w("none", lang))

    word.add_heading(_w("tables", lang), level=1)
    for t in review.tables or []:
        _std_table(word, t, lang)

    left_out: dict = {}
    job = start_images(review, lang) if images is True else (images or None)
    titles = job.titles if job is not None else [t for t, _ in figures_for_docx(review, lang)]
    if titles:
        word.add_heading(_w("figures", lang), level=1)
        if job is not None:
            pngs, reason = job.result()
        else:
            pngs, reason = [None] * len(titles), "images not requested (--no-images)"
        if reason:
            word.add_paragraph(_w("no_images", lang, reason=reason))
            left_out["images_reason"] = reason
        else:
            for title, png in zip(titles, pngs):
                word.add_heading(title, level=2)
                if png is None:
                    word.add_paragraph(_w("no_image", lang))
                else:
                    word.add_picture(io.BytesIO(png), width=Inches(6.3))
            left_out["images"] = sum(p is not None for p in pngs)
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue(), left_out
