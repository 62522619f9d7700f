"""A subject's profile: demography and arm, timeline, exposure, adverse events, out-of-range labs, visits,
concomitant medications, disposition and every finding about the subject; with a way back."""
from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w
import pandas as pd

from workbench.i18n import column_label, severity_label, t
from workbench.profile import subject_profile

from .common import esc, figure_output, html_table

SECTIONS = (("exposure", "profile_exposure"), ("adverse_events", "profile_ae"),
            ("labs_out_of_range", "profile_labs"), ("visits", "profile_visits"), ("conmeds", "profile_cm"),
            ("disposition", "profile_ds"))
DEMOGRAPHY = ("SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC", "ARM", "ARM_LABEL", "PLANNED_ARM", "ARM_STATUS",
              "FIRST_DOSE", "CONSENT", "CONSENT_SOURCE", "LAST_CONTACT", "FOLLOW_UP_DAYS", "DIED", "DISPOSITION")


def _value(v, lang: str) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, bool):
        return t("yes" if v else "no", lang)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class ProfileView(w.VBox):
    """The profile of one subject of ``review``'s submission; ``on_back()`` returns to where the reviewer was."""

    def __init__(self, review, usubjid: str, lang: str, on_back: Callable[[], None] | None = None, **kw):
        from workbench.figures.profile import profile_timeline

        L = lambda k: t(k, lang)  # noqa: E731
        back = w.Button(description=L("profile_back"), icon="arrow-left")
        back.add_class("wb-profile-back")
        if on_back is not None:
            back.on_click(lambda _: on_back())
        p = subject_profile(review.submission, usubjid, review.findings)
        demo = pd.DataFrame([{column_label(k, lang): _value(p.demography.get(k), lang) for k in DEMOGRAPHY}])
        children = [w.HBox([back, w.HTML(f"<h3 class='wb-profile-title'>{esc(L('profile_of'))} {esc(usubjid)}</h3>")]),
                    w.HTML(html_table(demo)), figure_output(profile_timeline(p, lang))]
        for attr, key in SECTIONS:
            df = getattr(p, attr)
            children.append(w.HTML(f"<h4>{esc(L(key))} ({len(df)})</h4>"))
            if len(df):
                shown = df.rename(columns=lambda c: column_label(str(c), lang)).astype(object) \
                    .map(lambda v: _value(v, lang))
                children.append(w.HTML(f"<div class='wb-profile-{attr}'>{html_table(shown, max_rows=200)}</div>"))
            else:
                children.append(w.HTML(f"<div class='wb-muted'>{esc(L('none_recorded'))}</div>"))
        rows = [{L("check"): f.check_id, L("severity"): severity_label(f.severity, lang), L("record"): f.record or "",
                 L("message"): f.message(lang)} for f in p.findings]
        children.append(w.HTML(f"<h4>{esc(L('profile_findings'))} ({len(rows)})</h4>"
                               + (html_table(pd.DataFrame(rows)) if rows else
                                  f"<div class='wb-muted'>{esc(L('none_recorded'))}</div>")))
        super().__init__(children, **kw)
        self.add_class("wb-profile")
        self.profile = p
