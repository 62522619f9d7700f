"""Findings explorer: filter by element, severity, domain, subject, text; drill down to the records."""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from workbench.drilldown import records_for
from workbench.findings import Element, Severity
from workbench.i18n import element_label, severity_label, t

from .common import esc, html_table

MAX_LIST = 500


class FindingsExplorer(w.VBox):
    """Filterable list of a review's findings with a detail panel showing the underlying records."""

    def __init__(self, review, lang: str = "zh", on_subject=None, link=None, **kw):
        """``on_subject(usubjid)``: opens a subject's profile (a button below a finding about one subject);
        ``link``: subject id -> the address of its profile (the subject ids of the detail become links)."""
        self.review, self.lang, self.on_subject, self.link = review, lang, on_subject, link
        self.findings = list(review.findings)
        L = lambda k: t(k, lang)  # noqa: E731
        self.element = w.Dropdown(options=[(L("all"), "")] + [(element_label(e, lang), e.value) for e in Element],
                                  description=L("element"), layout=w.Layout(width="340px"))
        self.severity = w.Dropdown(options=[(L("all"), "")] + [(severity_label(s, lang), s.value) for s in Severity],
                                   description=L("severity"), layout=w.Layout(width="220px"))
        domains = sorted({f.domain for f in self.findings if f.domain})
        self.domain = w.Dropdown(options=[(L("all"), "")] + [(d, d) for d in domains], description=L("domain"),
                                 layout=w.Layout(width="220px"))
        self.subject = w.Text(description=L("subject"), placeholder=L("filter_subject"), layout=w.Layout(width="260px"))
        self.text = w.Text(description=L("filter_text"), layout=w.Layout(width="260px"))
        for c in (self.element, self.severity, self.domain, self.subject, self.text):
            c.style.description_width = "auto"
            c.observe(lambda _: self.refresh(), names="value")
        self.count = w.HTML()
        self.list = w.Select(options=[], rows=14, layout=w.Layout(width="100%"))
        self.list.add_class("wb-findings-list")
        self.list.observe(lambda ch: self.show(ch["new"]), names="value")
        self.detail = w.HTML(f"<div class='wb-muted'>{esc(L('select_finding'))}</div>")
        self.detail.add_class("wb-finding-detail")
        self.profile_btn = w.Button(description=L("open_profile"), icon="user", layout=w.Layout(display="none"))
        self.profile_btn.add_class("wb-open-profile")
        self.profile_btn.on_click(lambda _: self._open_profile())
        super().__init__([w.HBox([self.element, self.severity, self.domain], layout=w.Layout(flex_flow="row wrap")),
                          w.HBox([self.subject, self.text], layout=w.Layout(flex_flow="row wrap")),
                          self.count, self.list, self.profile_btn, self.detail], **kw)
        self.add_class("wb-findings-explorer")
        self.refresh()

    def filtered(self) -> list[int]:
        """Indexes of findings passing the current filters."""
        el, sev, dom = self.element.value, self.severity.value, self.domain.value
        subj, text = self.subject.value.strip().lower(), self.text.value.strip().lower()
        out = []
        for i, f in enumerate(self.findings):
            if el and f.element.value != el:
                continue
            if sev and f.severity.value != sev:
                continue
            if dom and f.domain != dom:
                continue
            if subj and subj not in (f.usubjid or "").lower():
                continue
            if text and text not in (f.message_en + f.message_zh + f.check_id + (f.record or "")).lower():
                continue
            out.append(i)
        return out

    def _label(self, f) -> str:
        parts = [severity_label(f.severity, self.lang), f.check_id, f.domain or "", f.usubjid or "", f.record or ""]
        head = " · ".join(p for p in parts if p)
        msg = f.message(self.lang)
        return f"{head} — {msg[:140]}"

    def refresh(self) -> None:
        idx = self.filtered()
        shown = idx[:MAX_LIST]
        self.list.options = [(self._label(self.findings[i]), i) for i in shown]
        self.list.value = None
        self.count.value = (f"<span class='wb-findings-count'>{esc(t('shown', self.lang))} {len(shown)} / "
                            f"{len(idx)} ({esc(t('of', self.lang))} {len(self.findings)})</span>")

    def _open_profile(self) -> None:
        i = self.list.value
        if i is not None and self.on_subject is not None and self.findings[i].usubjid:
            self.on_subject(self.findings[i].usubjid)

    def show(self, i) -> None:
        if i is None:
            self.profile_btn.layout.display = "none"
            return
        f = self.findings[i]
        in_dm = f.usubjid is not None and f.usubjid in self.review.submission.study.subjects.index
        self.profile_btn.layout.display = "" if (in_dm and self.on_subject is not None) else "none"
        L = lambda k: t(k, self.lang)  # noqa: E731
        info = pd.DataFrame([{L("check"): f.check_id, L("severity"): severity_label(f.severity, self.lang),
                              L("element"): element_label(f.element, self.lang), L("domain"): f.domain,
                              L("subject"): f.usubjid, L("record"): f.record, L("clause"): f.guideline_ref}])
        try:
            tables = records_for(self.review.submission, f)
        except Exception:  # noqa: BLE001 - drill-down is a convenience; never break the explorer
            tables = []
        rec_html = "".join(f"<div class='wb-muted'>{esc(name)}</div>{html_table(df, max_rows=50, link=self.link)}"
                           for name, df in tables) or f"<div class='wb-muted'>{esc(L('no_records'))}</div>"
        self.detail.value = (f"<p class='wb-sev-{f.severity.value}'><b>{esc(f.message(self.lang))}</b></p>"
                             f"{html_table(info, link=self.link, subject_columns={L('subject')})}"
                             f"<h4>{esc(L('records'))}</h4>{rec_html}")
