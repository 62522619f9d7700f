"""The reviewer app: one submission's review in sections, in Chinese or English."""
from __future__ import annotations

import base64
import html
import logging
import os
from urllib.parse import parse_qs

import ipywidgets as w
import pandas as pd
from IPython.display import HTML, display

from workbench.i18n import element_label, severity_label, t, value_label
from workbench.sections import SECTIONS, section_blocks
from workbench.tables.html import code_html, frame_html, table_html

from .common import STYLE, esc, figure_output, html_table
from .findings import FindingsExplorer
from .language import LanguageSwitch
from .tier import TierPanel, tier_badge

log = logging.getLogger(__name__)
TAB_ORDER = list(SECTIONS)
_LAST: dict = {}   # the widgets most recently displayed (for analysts and tests); entry points return None


def blocks_widget(review, section: str, lang: str) -> w.VBox:
    """A section's tables and figures as widgets."""
    children = []
    for b in section_blocks(review, section, lang):
        children.append(w.HTML(f"<h3>{esc(b.title(lang))}</h3>"))
        if b.kind == "std":   # a standard table, formatted by the library (same HTML as report.html)
            children.append(w.HTML(table_html(b.std_table, lang, code=b.code)))
        elif b.kind == "table":
            children.append(w.HTML(frame_html(b.table, lang, max_rows=200)))
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


def overview_widget(review, lang: str) -> w.VBox:
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
    return w.VBox([w.HTML(head), blocks_widget(review, "overview", lang), w.HTML(inputs_html)])


def export_widget(review, lang: str) -> w.VBox:
    """Buttons producing download links for report.html and review.json (data URIs: nothing written)."""
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
        files = {"review.json": ("application/json", dumps(doc).encode("utf-8"), "download_json"),
                 "report.html": ("text/html", render_report(review, lang=lang, doc=doc).encode("utf-8"),
                                 "download_report")}
        try:   # the standard tables and the Word report, for the view in its language
            files["tables.xlsx"] = (XLSX_MIME, tables_xlsx(review.tables or [], lang, sid), "download_xlsx")
            files["review.docx"] = (DOCX_MIME, review_docx(review, lang, doc)[0], "download_docx")
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


class ReviewApp(w.VBox):
    """Header with the language switch, and one tab per section (built when first opened)."""

    def __init__(self, review, store=None, reviewer: str = "", lang: str = "zh", open_store=None, **kw):
        """``store``: the decision store, or None; ``open_store``: instead, a function opening it, called when
        the evidence-tier tab (its only user) is first opened - ``(store or None, error message or "")``."""
        self.review, self.store, self.reviewer = review, store, reviewer
        self._open_store, self._store_error = open_store, ""
        super().__init__(**kw)
        self.add_class("wb-review-app")
        self.switch = LanguageSwitch(lang)
        self.switch.on_change(self.build)
        self.build(lang)

    def build(self, lang: str) -> None:
        self.lang = lang
        sid = self.review.submission.submission_id
        title = w.HTML(f"{STYLE}<h2 class='wb-app-title'>{esc(t('app_title', lang))} — {esc(sid)}</h2>"
                       f"<a href='index.ipynb?lang={lang}' class='wb-muted'>← {esc(t('back_to_list', lang))}</a>")
        self.tabs = w.Tab()
        placeholder = w.VBox([w.HTML(esc(t("loading", lang)))])   # one view model for every unopened tab
        self.tabs.children = [placeholder] * len(TAB_ORDER)
        self.tabs.titles = [SECTIONS[s][0 if lang == "zh" else 1] for s in TAB_ORDER]
        self._built: set[int] = set()
        self.tabs.observe(lambda ch: self._ensure(ch["new"]), names="selected_index")
        self.children = [w.HBox([title, self.switch], layout=w.Layout(justify_content="space-between")), self.tabs]
        self.tabs.selected_index = 0
        self._ensure(0)

    def _ensure(self, index) -> None:
        if index is None or index in self._built:
            return
        self._built.add(index)
        section, lang = TAB_ORDER[index], self.lang
        try:
            if section == "overview":
                content = overview_widget(self.review, lang)
            elif section == "completeness":
                content = FindingsExplorer(self.review, lang)
            elif section == "tier":
                content = TierPanel(self.review, self._decision_store(), self.reviewer, lang)
                if self._store_error:
                    content = w.VBox([w.HTML(f"<div class='wb-error wb-app-error'>{esc(self._store_error)}</div>"),
                                      content])
            elif section == "export":
                content = export_widget(self.review, lang)
            else:
                content = blocks_widget(self.review, section, lang)
        except Exception as exc:  # noqa: BLE001 - the reviewer sees one line; the log has the traceback
            log.exception("section %s failed", section)
            content = w.HTML(f"<div class='wb-error'>{esc(t('section_failed', lang))}: {esc(type(exc).__name__)}: "
                             f"{esc(exc)}</div>")
        children = list(self.tabs.children)
        children[index] = content
        self.tabs.children = children

    def _decision_store(self):
        """The decision store, opened on first use when the app was given ``open_store``."""
        if self._open_store is not None:
            opener, self._open_store = self._open_store, None
            self.store, self._store_error = opener()
        return self.store


def _query() -> dict[str, str]:
    """Voila passes the page's query string to the kernel as QUERY_STRING."""
    qs = parse_qs(os.environ.get("QUERY_STRING", ""), keep_blank_values=False)
    return {k: v[0] for k, v in qs.items() if v}


def _error(message: str) -> None:
    display(HTML(f"{STYLE}<div class='wb-error wb-app-error'>{esc(message)}</div>"))


def _open_store(db_url) -> tuple[object | None, str]:
    """(the decision store, "") or (None, the reason it is unavailable, in one line)."""
    from workbench.store import DecisionStore

    try:
        return DecisionStore(db_url or None), ""
    except Exception as exc:  # noqa: BLE001
        log.exception("decision store unavailable")
        return None, f"decision store unavailable / 审评结论库不可用: {exc}"


def _store(db_url):
    store, error = _open_store(db_url)
    if error:
        _error(error)
    return store


def open_review(submission_path: str = "", rules_path: str | None = None, lang: str = "zh", db_url: str | None = None,
                reviewer: str = "") -> None:
    """Notebook entry point: resolve the submission (parameter, else ``?submission=NAME`` under WORKBENCH_ROOT),
    review it, and display the app. Problems are shown as one line, never as a traceback."""
    from workbench.discover import UnsafeNameError, resolve_name
    from workbench.loader import SubmissionError
    from workbench.review import run_review

    q = _query()
    lang = q.get("lang", lang) if q.get("lang") in ("zh", "en") else lang
    path = submission_path
    if not path:
        root = os.environ.get("WORKBENCH_ROOT", "sample_data")
        name = q.get("submission")
        if not name:
            _error("no submission chosen / 未选择申报资料 (open one from the list: index.ipynb)")
            return
        try:
            path = str(resolve_name(root, name))
        except UnsafeNameError as exc:
            _error(str(exc))
            return
    try:
        review = run_review(path, rules_path=rules_path or os.environ.get("WORKBENCH_RULES") or None)
    except SubmissionError as exc:
        _error(f"cannot review / 无法审评: {exc}")
        return
    except Exception as exc:  # noqa: BLE001
        log.exception("review failed")
        _error(f"review failed / 审评失败: {type(exc).__name__}: {exc}")
        return
    # the decision store (SQLAlchemy: a third of a second to import) is opened with the evidence-tier tab
    db_url = db_url or os.environ.get("WORKBENCH_DB_URL")
    app = ReviewApp(review, None, reviewer or os.environ.get("WORKBENCH_REVIEWER", ""), lang,
                    open_store=lambda: _open_store(db_url))
    display(app)
    _LAST["app"] = app


def open_index(root: str = "", lang: str = "zh", db_url: str | None = None, rules_path: str | None = None):
    """Notebook entry point of the landing page."""
    from .picker import SubmissionPicker

    q = _query()
    lang = q.get("lang", lang) if q.get("lang") in ("zh", "en") else lang
    root = root or os.environ.get("WORKBENCH_ROOT", "sample_data")
    switch = LanguageSwitch(lang)
    header = w.HTML(f"{STYLE}<h2 class='wb-app-title'>{esc(t('app_title', lang))}</h2>"
                    f"<h3>{esc(t('submissions', lang))}</h3>")
    picker = SubmissionPicker(root, _store(db_url or os.environ.get("WORKBENCH_DB_URL")), lang,
                              rules_path or os.environ.get("WORKBENCH_RULES") or None)
    box = w.VBox([w.HBox([header, switch], layout=w.Layout(justify_content="space-between")), picker])

    def relabel(new_lang):
        picker.lang = new_lang
        header.value = (f"{STYLE}<h2 class='wb-app-title'>{esc(t('app_title', new_lang))}</h2>"
                        f"<h3>{esc(t('submissions', new_lang))}</h3>")
        picker.render()

    switch.on_change(relabel)
    display(box)
    picker.load()
    _LAST["index"] = picker
