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

from workbench.settings import Settings
from workbench.i18n import column_label, element_label, severity_label, t, value_label
from workbench.sections import SECTIONS, section_blocks

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
        if b.kind == "table":
            table = b.table.rename(columns=lambda c: column_label(str(c), lang))
            children.append(w.HTML(html_table(table, max_rows=200)))
        elif b.kind == "figure":
            children.append(figure_output(b.figure))
        else:
            children.append(w.HTML(f"<div class='wb-muted'>{esc(b.note(lang))}</div>"))
    return w.VBox(children)


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
        doc = review.to_dict()
        sid = review.submission.submission_id
        store = store_getter() if store_getter is not None else None
        audit = None
        if store is not None:
            from workbench.audit import audit_trail

            from .tier import display_tz
            audit = audit_trail(store, sid)
        files = {"review.json": ("application/json", dumps(doc)),
                 "report.html": ("text/html", render_report(review, lang=lang, doc=doc, audit=audit,
                                                            tz=display_tz()))}
        parts = []
        for name, (mime, text) in files.items():
            data = base64.b64encode(text.encode("utf-8")).decode("ascii")
            label = L("download_json") if name.endswith("json") else L("download_report")
            parts.append(f"<a download='{html.escape(sid)}-{name}' href='data:{mime};charset=utf-8;base64,{data}'>"
                         f"{esc(label)}</a>")
        links.value = "".join(parts)

    button.on_click(prepare)
    return w.VBox([button, links])


class ReviewApp(w.VBox):
    """Header with the language switch, and one tab per section (built when first opened)."""

    def __init__(self, review, store=None, identity=None, lang: str = "zh", open_store=None, identity_error=None,
                 **kw):
        """``store``: the decision store, or None; ``open_store``: instead, a function opening it, called when
        the evidence-tier tab (its only user) is first opened - ``(store or None, error message or "")``.
        ``identity``: who records (:class:`workbench.store.Identity`); None: this request's identity
        (``identity_from_environ``), or ``identity_error`` saying why there is none."""
        from .tier import resolve_identity

        if identity is None and identity_error is None:
            identity, identity_error = resolve_identity()
        self.review, self.store, self.identity, self.identity_error = review, store, identity, identity_error
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
                content = TierPanel(self.review, self._decision_store(), self.identity, lang,
                                    identity_error=self.identity_error)
                if self._store_error:
                    content = w.VBox([w.HTML(f"<div class='wb-error wb-app-error'>{esc(self._store_error)}</div>"),
                                      content])
            elif section == "export":
                content = export_widget(self.review, lang, self._decision_store)
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


def _request_identity():
    """This page's identity: the proxy's header when `workbench serve --user-header` is on (Voila puts the
    request's header into the kernel's environment as HTTP_<NAME>), else the local account."""
    if os.environ.get("VOILA_PREHEAT") == "True":   # a pre-heated kernel gets the request later: wait for it
        from voila.utils import wait_for_request

        wait_for_request()
    from .tier import resolve_identity

    return resolve_identity()


def open_review(submission_path: str = "", rules_path: str | None = None, lang: str = "zh", db_url: str | None = None
                ) -> None:
    """Notebook entry point: resolve the submission (parameter, else ``?submission=NAME`` under WORKBENCH_ROOT),
    review it, and display the app. Problems are shown as one line, never as a traceback."""
    from workbench.discover import UnsafeNameError, resolve_name
    from workbench.loader import SubmissionError
    from workbench.review import run_review

    identity, identity_error = _request_identity()
    settings = Settings.from_env()
    q = _query()
    lang = q.get("lang", lang) if q.get("lang") in ("zh", "en") else lang
    path = submission_path
    if not path:
        root = settings.root
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
        settings.load_checks()
        review = run_review(path, rules_path=rules_path or settings.rules_path)
    except SubmissionError as exc:
        _error(f"cannot review / 无法审评: {exc}")
        return
    except Exception as exc:  # noqa: BLE001
        log.exception("review failed")
        _error(f"review failed / 审评失败: {type(exc).__name__}: {exc}")
        return
    # the decision store (SQLAlchemy: a third of a second to import) is opened with the evidence-tier tab
    db_url = db_url or settings.db_url
    app = ReviewApp(review, None, identity, lang, open_store=lambda: _open_store(db_url),
                    identity_error=identity_error)
    display(app)
    _LAST["app"] = app


def open_index(root: str = "", lang: str = "zh", db_url: str | None = None, rules_path: str | None = None):
    """Notebook entry point of the landing page."""
    from .picker import SubmissionPicker

    q = _query()
    lang = q.get("lang", lang) if q.get("lang") in ("zh", "en") else lang
    settings = Settings.from_env()
    root = root or settings.root
    switch = LanguageSwitch(lang)
    header = w.HTML(f"{STYLE}<h2 class='wb-app-title'>{esc(t('app_title', lang))}</h2>"
                    f"<h3>{esc(t('submissions', lang))}</h3>")
    picker = SubmissionPicker(root, _store(db_url or settings.db_url), lang, rules_path or settings.rules_path)
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
