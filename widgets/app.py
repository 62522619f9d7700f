"""The reviewer app: one submission's review in sections, in Chinese or English."""
from __future__ import annotations

import logging
import os
from urllib.parse import parse_qs

import ipywidgets as w
from IPython.display import HTML, display

from workbench.filters import ViewFilter
from workbench.i18n import t
from workbench.sections import SECTIONS
from workbench.settings import Settings
from workbench.viewstate import ViewState

from .common import STYLE, esc
from .deferred import GATE, PaintSignal
from .filters import FilterPanel
from .findings import FindingsExplorer
from .language import LanguageSwitch
from .links import SubjectLinks
from .request import await_request
from .sections import blocks_widget, export_widget, overview_widget
from .tier import TierPanel

log = logging.getLogger(__name__)
TAB_ORDER = list(SECTIONS)
_LAST: dict = {}   # the widgets most recently displayed (for analysts and tests); entry points return None


class ReviewApp(w.VBox):
    """Header with the language switch and the filter panel, and one tab per section (built when first opened);
    or one subject's profile. The view (language, tab, filter, profile) is kept in the page URL."""

    def __init__(self, review, store=None, identity=None, lang: str = "zh", open_store=None, identity_error=None,
                 state: ViewState | None = None, **kw):
        """``review``: the review of the whole study; ``store``: the decision store, or None; ``open_store``:
        instead, a function opening it on first use - ``(store or None, error message or "")``. ``identity``: who
        records (:class:`workbench.store.Identity`); None: this request's identity, or ``identity_error`` saying
        why there is none. ``state``: the view to open (from the page URL)."""
        from .tier import resolve_identity

        if identity is None and identity_error is None:
            identity, identity_error = resolve_identity()
        self.full = review
        self.store, self.identity, self.identity_error = store, identity, identity_error
        self._open_store, self._store_error = open_store, ""
        self.state = (state or ViewState()).with_(lang=lang)
        super().__init__(**kw)
        self.add_class("wb-review-app")
        self.links = SubjectLinks(self._subject_requested)   # subject links, and the view in the page URL
        self.painted = PaintSignal()   # releases figures held until the page has painted (widgets.deferred)
        self.tabs, self._tabs_key = None, None
        self.switch = LanguageSwitch(lang)
        self.switch.on_change(lambda new: self.show(self.state.with_(lang=new)))
        self.review = self._view_review(self.state.filter)
        self.show(self.state)

    # -- the view ------------------------------------------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.state.lang

    def _view_review(self, f: ViewFilter):
        """The review of the filtered submission (the whole review when there is no filter): the same library
        functions on the selected subjects' records."""
        if f.empty:
            return self.full
        from workbench.filters import subset
        from workbench.review import run_review

        return run_review(subset(self.full.submission, f), rules=self.full.rules)

    def apply_filter(self, f: ViewFilter) -> None:
        try:
            self.review = self._view_review(f)
        except Exception as exc:  # noqa: BLE001 - the reviewer sees one line, the log the traceback
            log.exception("filtered review failed")
            self.filters.status.value = f"<div class='wb-error'>{esc(type(exc).__name__)}: {esc(exc)}</div>"
            return
        self.show(self.state.with_(filter=f))

    def open_profile(self, usubjid: str | None) -> None:
        self.show(self.state.with_(subject=usubjid))

    def _subject_requested(self, usubjid: str | None) -> None:
        """A subject link clicked in the page (None: the browser went back to the tables)."""
        if usubjid != self.state.subject:
            self.open_profile(usubjid)

    def subject_href(self, usubjid: str) -> str | None:
        """The address of a subject's profile in this view (None for an id that is not a subject of DM)."""
        if usubjid not in self.full.submission.study.subjects.index:
            return None
        return "?" + self.state.with_(subject=usubjid).to_query()

    def show(self, state: ViewState) -> None:
        """Build the page for ``state`` and write it into the URL. Back from a profile, the tabs the reviewer
        left (with what they had opened in them) are shown again when the language and the filter are the same."""
        scroll = "top" if state.subject and not self.state.subject else \
            "back" if self.state.subject and not state.subject else None
        self.state = state
        lang = state.lang
        sid = self.full.submission.submission_id
        title = w.HTML(f"{STYLE}<h2 class='wb-app-title'>{esc(t('app_title', lang))} — {esc(sid)}</h2>"
                       f"<a href='index.ipynb?lang={lang}' class='wb-muted'>← {esc(t('back_to_list', lang))}</a>")
        from workbench.filters import filter_options, selected_subjects

        self.filters = FilterPanel(filter_options(self.full.submission), state.filter, lang, self.apply_filter)
        n_total = len(self.full.submission.study.subjects)
        n_sel = None if state.filter.empty else len(selected_subjects(self.full.submission, state.filter))
        self.filters.show_status(state.filter, n_sel, n_total)
        panel = w.Accordion(children=[self.filters], titles=(t("filter_title", lang),),
                            selected_index=None if state.filter.empty else 0)
        panel.add_class("wb-filter-accordion")
        header = w.HBox([title, self.switch], layout=w.Layout(justify_content="space-between"))
        if state.subject:
            body = self._profile(state.subject)
        elif self.tabs is not None and self._tabs_key == (lang, state.filter):
            body = self.tabs
            if state.tab in TAB_ORDER:
                self.tabs.selected_index = TAB_ORDER.index(state.tab)
        else:
            body = self._tabs()
            self._tabs_key = (lang, state.filter)
        self.children = [header, panel, body, self.links, self.painted]
        self._write_url(scroll)

    def _profile(self, usubjid: str):
        from workbench.profile import UnknownSubjectError

        from .profile import ProfileView

        try:   # the whole review: the subject's records are the same under any filter, and every finding shows
            return ProfileView(self.full, usubjid, self.lang, on_back=lambda: self.open_profile(None))
        except UnknownSubjectError as exc:
            return w.HTML(f"<div class='wb-error'>{esc(exc)}</div>")

    def _tabs(self) -> w.Tab:
        lang = self.lang
        self.tabs = w.Tab()
        placeholder = w.VBox([w.HTML(esc(t("loading", lang)))])   # one view model for every unopened tab
        self.tabs.children = [placeholder] * len(TAB_ORDER)
        self.tabs.titles = [SECTIONS[s][0 if lang == "zh" else 1] for s in TAB_ORDER]
        self._built: set[int] = set()
        index = TAB_ORDER.index(self.state.tab) if self.state.tab in TAB_ORDER else 0
        self.tabs.selected_index = index
        self._ensure(index)
        self.tabs.observe(self._tab_changed, names="selected_index")
        return self.tabs

    def _tab_changed(self, change) -> None:
        if change["new"] is not None:   # first: the tab's subject links carry it
            self.state = self.state.with_(tab=TAB_ORDER[change["new"]])
        self._ensure(change["new"])
        if change["new"] is not None:
            self._write_url()

    def _write_url(self, scroll: str | None = None) -> None:
        self.links.write(self.state.to_query(), scroll)

    def _ensure(self, index) -> None:
        if index is None or index in self._built:
            return
        self._built.add(index)
        section, lang = TAB_ORDER[index], self.lang
        try:
            if section == "overview":
                content = overview_widget(self.review, lang, self.subject_href)
                content = w.VBox([content, *self._overlay_form()])
            elif section == "completeness":
                content = FindingsExplorer(self.review, lang, on_subject=self.open_profile, link=self.subject_href)
            elif section == "tier":   # always the whole study: a filter does not change the evidence tier
                content = TierPanel(self.full, self._decision_store(), self.identity, lang,
                                    identity_error=self.identity_error)
                if self._store_error:
                    content = w.VBox([w.HTML(f"<div class='wb-error wb-app-error'>{esc(self._store_error)}</div>"),
                                      content])
            elif section == "export":
                content = export_widget(self.review, lang, self._decision_store)
            else:
                content = blocks_widget(self.review, section, lang, self.subject_href)
        except Exception as exc:  # noqa: BLE001 - the reviewer sees one line; the log has the traceback
            log.exception("section %s failed", section)
            content = w.HTML(f"<div class='wb-error'>{esc(t('section_failed', lang))}: {esc(type(exc).__name__)}: "
                             f"{esc(exc)}</div>")
        children = list(self.tabs.children)
        children[index] = content
        self.tabs.children = children

    # -- the reviewer overlay --------------------------------------------------------------------------------------
    def _overlay_form(self) -> list:
        """The overlay form (when the manifest is missing or leaves out what the review needs)."""
        sub = self.full.submission
        m = sub.manifest
        wants = m is None or m.product.cell_type is None or m.study.primary_endpoint is None or not m.study.arms
        if not wants and not sub.overlay:
            return []
        from .overlay import OverlayForm

        form = OverlayForm(sub, sub.overlay, self.lang, self._save_overlay)
        box = w.Accordion(children=[form], titles=(t("overlay_title", self.lang),),
                          selected_index=0 if m is None and not sub.overlay else None)
        box.add_class("wb-overlay-accordion")
        return [box]

    def _save_overlay(self, overlay) -> str | None:
        """Record the overlay in the decision store (same audit chain) and review the submission again with it;
        the reason it cannot be saved, or None."""
        store = self._decision_store()
        if store is None or self.identity is None:
            return t("ov_no_store", self.lang) + (f" ({self.identity_error.message(self.lang)})"
                                                 if self.identity_error is not None else "")
        sub = self.full.submission
        from workbench.review import run_review
        from workbench.store import DecisionError

        try:
            store.record_overlay(sub.submission_id, sub.input_sha256,
                                 getattr(self.full.rules, "sha256", None) or "0" * 64, self.identity, overlay)
        except DecisionError as exc:
            return exc.message(self.lang)
        self.full = run_review(sub.root, rules=self.full.rules, overlay=overlay)
        self.review = self._view_review(self.state.filter)
        self._tabs_key = None   # every tab is built again from the new review
        self.show(self.state.with_(tab="overview"))
        return None

    def _decision_store(self):
        """The decision store, opened on first use when the app was given ``open_store``."""
        if self._open_store is not None:
            opener, self._open_store = self._open_store, None
            self.store, self._store_error = opener()
        return self.store


def warm_up() -> None:
    """Import the stack and build one small figure, so a pooled kernel has paid for it before a page arrives."""
    import plotly.graph_objects as go

    import workbench.analyses  # noqa: F401 - the imports are the point
    import workbench.cache  # noqa: F401
    import workbench.checks  # noqa: F401
    import workbench.profile  # noqa: F401
    import workbench.review  # noqa: F401
    import workbench.store  # noqa: F401
    import workbench.tiers  # noqa: F401

    from . import overlay, picker, profile  # noqa: F401

    fig = go.Figure([go.Heatmap(z=[[0, 1]]), go.Scatter(x=[0], y=[0]), go.Bar(x=[0], y=[0]), go.Box(y=[0])])
    fig.update_layout(title="warm-up", xaxis_title="x", legend={"x": 1})
    fig.to_json()


def _query() -> dict[str, str]:
    """Voila passes the page's query string to the kernel as QUERY_STRING."""
    await_request()
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
    await_request()   # a pre-heated kernel gets the request (and its header) later: wait for it
    from .tier import resolve_identity

    return resolve_identity()


def open_review(submission_path: str = "", rules_path: str | None = None, lang: str = "zh", db_url: str | None = None
                ) -> None:
    """Notebook entry point: resolve the submission (parameter, else ``?submission=NAME`` under WORKBENCH_ROOT),
    review it (from the review cache when the same inputs, rules and overlay were reviewed before), and display
    the app in the view the URL names (language, tab, filter, subject profile). Problems are shown as one line,
    never as a traceback."""
    from workbench.cache import cached_review
    from workbench.discover import UnsafeNameError, resolve_name
    from workbench.loader import SubmissionError
    from workbench.rules import load_rules

    identity, identity_error = _request_identity()
    settings = Settings.from_env()
    state = ViewState.from_query(os.environ.get("QUERY_STRING", ""), default_lang=lang)
    path = submission_path
    if not path:
        if not state.submission:
            _error("no submission chosen / 未选择申报资料 (open one from the list: index.ipynb)")
            return
        try:
            path = str(resolve_name(settings.root, state.submission))
        except UnsafeNameError as exc:
            _error(str(exc))
            return
    db_url = db_url or settings.db_url
    try:
        checks = settings.load_checks()
        rules = load_rules(rules_path or settings.rules_path)
        overlay, store, store_error = _overlay_for(path, db_url)
        review, _ = cached_review(path, rules, overlay, tuple(checks))
    except SubmissionError as exc:
        _error(f"cannot review / 无法审评: {exc}")
        return
    except Exception as exc:  # noqa: BLE001
        log.exception("review failed")
        _error(f"review failed / 审评失败: {type(exc).__name__}: {exc}")
        return
    opener = (lambda: (store, store_error)) if store is not None or store_error else (lambda: _open_store(db_url))
    GATE.hold()   # the page's tables first, its figures once it has painted
    app = ReviewApp(review, None, identity, state.lang, open_store=opener, identity_error=identity_error, state=state)
    display(app)
    _LAST["app"] = app


def _overlay_for(path: str, db_url: str | None):
    """(the reviewer overlay in force for the submission at ``path`` or None, the store or None, its error): read
    from the decision store only when one exists (a first look at a submission opens no database)."""
    from workbench.loader import peek_submission_id

    if not _store_exists(db_url):
        return None, None, ""
    store, error = _open_store(db_url)
    if store is None:
        return None, None, error
    try:
        overlay, _ = store.overlay(peek_submission_id(path))
    except Exception as exc:  # noqa: BLE001 - a damaged overlay entry must not stop the review
        log.exception("overlay unreadable")
        return None, store, f"reviewer overlay unreadable / 审评人员补充信息无法读取: {exc}"
    return overlay, store, ""


def _store_exists(db_url: str | None) -> bool:
    """A SQLite store that does not exist yet has no overlay (servers: always look)."""
    url = str(db_url or "")
    if url.startswith("sqlite:///"):
        from pathlib import Path

        return Path(url[len("sqlite:///"):]).exists()
    return bool(url)


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
