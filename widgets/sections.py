"""The review's sections as widgets: a section's tables and figures, the overview (study card, inputs) and the
export downloads. Built from :func:`workbench.sections.section_blocks`; the app (:mod:`widgets.app`) puts them in
tabs."""
from __future__ import annotations

import base64
import html
import logging

import ipywidgets as w
import pandas as pd

from workbench.i18n import element_label, severity_label, t, value_label
from workbench.sections import section_blocks
from workbench.tables.html import code_html, frame_html, table_html

from .common import esc, figure_output, html_table
from .tier import tier_badge

log = logging.getLogger(__name__)


def blocks_widget(review, section: str, lang: str, link=None) -> w.VBox:
    """A section's tables and figures as widgets (``link``: subject id -> the address of its profile, making the
    subject ids of listings and result tables links)."""
    children = []
    for b in section_blocks(review, section, lang):
        children.append(w.HTML(f"<h3>{esc(b.title(lang))}</h3>"))
        if b.kind == "std":   # a standard table, formatted by the library (same HTML as report.html)
            children.append(w.HTML(table_html(b.std_table, lang, code=b.code, link=link)))
        elif b.kind == "table":
            children.append(w.HTML(frame_html(b.table, lang, max_rows=200, link=link)))
        elif b.kind == "figure" and b.choices:
            children.append(ChoiceFigure(review, b, lang))
        elif b.kind == "figure":
            children.append(figure_output(b.figure))
            children.append(w.HTML(code_html(b.code, lang)))
        else:
            children.append(w.HTML(f"<div class='wb-muted'>{esc(b.note(lang))}</div>"))
    return w.VBox(children)


class ChoiceFigure(w.VBox):
    """A figure with a drop-down of what it shows (the laboratory test), redrawn on change, with its code."""

    def __init__(self, review, block, lang: str):
        from workbench.figures import lab_over_time
        from workbench.snippets import figure_code

        self.review, self.lang = review, lang
        self.select = w.Dropdown(options=[(label, value) for value, label in block.choices], value=block.choice,
                                 description=t("lab_test", lang), layout=w.Layout(width="640px"),
                                 style={"description_width": "initial"})
        self.select.add_class("wb-choice")

        def redraw(change):
            labs = getattr(review.analyses, "labs", None)
            fig = lab_over_time(labs, lang, test=change["new"])
            self.children = [self.select, figure_output(fig),
                             w.HTML(code_html(figure_code(review, "lab_over_time", lang, test=change["new"]), lang))]

        self.select.observe(redraw, names="value")
        super().__init__([self.select, figure_output(block.figure), w.HTML(code_html(block.code, lang))])


def overview_widget(review, lang: str, link=None) -> w.VBox:
    L = lambda k: t(k, lang)  # noqa: E731
    doc_tier = review.tier.to_dict() if review.tier is not None else None
    from workbench.review import study_card

    study = study_card(review.submission)
    V = lambda k: value_label(study.get(k), lang)  # noqa: E731
    card = pd.DataFrame([{L("product"): study.get("product"), L("cell_type"): V("cell_type"),
                          L("indication"): study.get("indication"), L("design"): V("design"),
                          L("stage"): V("stage"), L("subjects_enrolled"): study.get("subjects_enrolled"),
                          L("subjects_dosed"): study.get("subjects_dosed")}])
    rows = []
    classes = {}
    for i, (el, row) in enumerate(review.scorecard.items()):
        rows.append({L("element"): element_label(el, lang), L("status"): t(row["status"], lang),
                     L("checks_run"): row["checks_run"],
                     **{severity_label(sev, lang): row[sev] for sev in ("critical", "major", "minor", "info")}})
        classes[i] = f"wb-st-{row['status']}"
    comp = review.completeness
    inputs = pd.DataFrame([{"path": f.path, "rows": f.rows, "encoding": f.encoding, "sha256": f.sha256}
                           for f in sorted(review.submission.inputs, key=lambda f: f.path)])
    head = (f"<h3>{esc(L('study'))}</h3><p>{esc(study.get('title') or '')}</p>{html_table(card)}"
            f"<h3>{esc(L('proposed_tier'))}</h3>{tier_badge(doc_tier, lang)}"
            f"<h3>{esc(L('scorecard'))}</h3><p>{esc(L('completeness'))}: "
            f"{'—' if comp is None else f'{comp:.0%}'}</p>{html_table(pd.DataFrame(rows), classes=classes)}")
    inputs_html = (f"<h3>{esc(L('inputs'))} ({len(inputs)})</h3><p>{esc(L('input_hash'))}: "
                   f"<span class='wb-hash'>{esc(review.submission.input_sha256)}</span></p>"
                   f"{html_table(inputs, max_rows=100)}")
    return w.VBox([w.HTML(head), blocks_widget(review, "overview", lang, link), w.HTML(inputs_html)])


def export_widget(review, lang: str, store_getter=None) -> w.VBox:
    """Buttons producing download links for report.html and review.json (data URIs: nothing written).
    ``store_getter``: returns the decision store (or None); report.html then shows the decisions and
    signatures recorded for this submission, with the audit chain's head hash."""
    from workbench.jsonout import dumps
    from workbench.report import render_report

    L = lambda k: t(k, lang)  # noqa: E731
    button = w.Button(description=L("export_prepare"), icon="download", layout=w.Layout(width="auto"))
    links = w.HTML()
    links.add_class("wb-export-links")

    def prepare(_):
        from workbench.exports import DOCX_MIME, XLSX_MIME, csv_zip, review_docx, tables_xlsx

        doc = review.to_dict()
        sid = review.submission.submission_id
        links.value = ""
        store = store_getter() if store_getter is not None else None
        audit = None
        if store is not None:
            from workbench.audit import audit_trail

            from .tier import display_tz
            audit = audit_trail(store, sid)
        files = {"review.json": ("application/json", dumps(doc).encode("utf-8"), "download_json"),
                 "report.html": ("text/html", render_report(review, lang=lang, doc=doc, audit=audit,
                                                            tz=display_tz() if audit else "UTC").encode("utf-8"),
                                 "download_report")}
        try:   # the standard tables and the Word report, for the view in its language
            files["tables.xlsx"] = (XLSX_MIME, tables_xlsx(review.tables or [], lang, sid), "download_xlsx")
            files["review.docx"] = (DOCX_MIME, review_docx(review, lang, doc, audit=audit,
                                                           tz=display_tz() if audit else "UTC")[0], "download_docx")
            files["tables-csv.zip"] = ("application/zip", csv_zip(review, lang), "download_csv")
        except Exception as exc:  # noqa: BLE001 - the other downloads stay available
            log.exception("export failed")
            links.value = f"<div class='wb-error'>{esc(type(exc).__name__)}: {esc(exc)}</div>"
        parts = []
        for name, (mime, data, label) in files.items():
            b64 = base64.b64encode(data).decode("ascii")
            parts.append(f"<a download='{html.escape(sid)}-{name}' href='data:{mime};base64,{b64}'>"
                         f"{esc(L(label))}</a>")
        links.value += "".join(parts)

    button.on_click(prepare)
    return w.VBox([button, links])
