"""Swimmer plot: one lane per dosed subject with dosing, AEs by grade and seriousness, death, last contact."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ._common import GRADE_COLOURS, arm_colours, arm_label, draft, empty, fmt_dose, layout, scatter, trace
from .labels import t

DEFAULT_MAX_SUBJECTS = 60


def _frames(timeline) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int | None]:
    if timeline is None:
        return pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), None
    get = (lambda k: getattr(timeline, k, None)) if not isinstance(timeline, dict) else timeline.get
    frames = []
    for key in ("subjects", "doses", "events"):
        v = get(key)
        frames.append(v if isinstance(v, pd.DataFrame) else pd.DataFrame(v if isinstance(v, list) else []))
    return frames[0], frames[1], frames[2], get("required_days")


def _choose(subjects: pd.DataFrame, events: pd.DataFrame, max_subjects: int) -> pd.DataFrame:
    """Keep at most ``max_subjects``: first those with deaths, fatal/serious/DLT events, then the rest (arm order)."""
    if len(subjects) <= max_subjects:
        return subjects
    score = pd.Series(0, index=subjects["USUBJID"])
    if len(events):
        ev = events.assign(S=events["FATAL"].astype(int) * 8 + events["DLT"].astype(int) * 4
                           + events["SERIOUS"].astype(int) * 2 + (events["GRADE"].fillna(0) >= 3).astype(int))
        score = score.add(ev.groupby("USUBJID")["S"].max(), fill_value=0)
    score = score.add(pd.Series(subjects["DIED"].astype(int).to_numpy() * 16, index=subjects["USUBJID"]),
                      fill_value=0)
    keep = set(score.sort_values(ascending=False, kind="stable").index[:max_subjects])
    return subjects[subjects["USUBJID"].isin(keep)]


def swimmer(timeline, lang: str = "zh", max_subjects: int = DEFAULT_MAX_SUBJECTS) -> go.Figure:
    """Subject timelines from first dose: follow-up bar per subject (coloured by arm), administrations, TEAEs
    (colour = grade, diamond = serious), death, last contact and the required follow-up line."""
    subjects, doses, events, required = _frames(timeline)
    total = len(subjects)
    title = t("swimmer_title", lang)
    if total == 0:
        return empty(title, lang)
    subjects = _choose(subjects, events, max_subjects)
    if len(subjects) < total:
        title += f"（{t('showing_n_of_m', lang, n=len(subjects), m=total)}）" if lang == "zh" else \
            f" ({t('showing_n_of_m', lang, n=len(subjects), m=total)})"
    keep = set(subjects["USUBJID"])
    order = subjects["USUBJID"].tolist()
    doses = doses[doses["USUBJID"].isin(keep)] if len(doses) else doses
    events = events[events["USUBJID"].isin(keep)] if len(events) else events
    fig = draft()
    arms = subjects[["ARM", "CONTROL"]].drop_duplicates("ARM")
    colours = arm_colours([(a, bool(c)) for a, c in zip(arms["ARM"].fillna("—"), arms["CONTROL"])])
    for arm, grp in subjects.groupby(subjects["ARM"].fillna("—"), sort=False):
        dose = grp["DOSE"].iloc[0] if "DOSE" in grp else None
        unit = grp["DOSE_UNIT"].iloc[0] if "DOSE_UNIT" in grp else None
        fig.add_trace(trace("bar", 
            y=grp["USUBJID"], x=grp["LAST_DAY"].fillna(0), base=0, orientation="h",
            name=arm_label(arm, dose, unit, bool(grp["CONTROL"].iloc[0]), lang).replace("<br>", " ")
            if dose == dose and dose is not None else str(arm),
            marker={"color": colours.get(arm, "#1f77b4"), "opacity": 0.35},
            customdata=grp[["ARM"]].assign(D=fmt_dose(dose, unit)).to_numpy(),
            hovertemplate=f"{t('subject', lang)}: %{{y}}<br>{t('arm', lang)}: %{{customdata[0]}} (%{{customdata[1]}})"
                          f"<br>{t('last_contact', lang)}: %{{x:.0f}} {t('days', lang)}<extra></extra>"))
    if len(doses):
        fig.add_trace(scatter(len(doses), x=doses["DAY"], y=doses["USUBJID"], mode="markers",
                              name=t("administration", lang),
                              marker={"symbol": "triangle-up", "size": 9, "color": "#2ca02c"},
                              hovertemplate=f"{t('subject', lang)}: %{{y}}<br>{t('administration', lang)}: "
                                            f"%{{x:.0f}} {t('days', lang)}<extra></extra>"))
    if len(events):
        ev = events.copy()
        ev["G"] = ev["GRADE"].where(ev["GRADE"].between(1, 5)).round()
        for g, grp in ev.groupby(ev["G"].fillna(0)):
            g = int(g)
            name = t("ae_grade", lang, g=g) if g else t("ae_grade_unknown", lang)
            yes, no = t("yes", lang), t("no", lang)
            custom = list(zip(grp["AESEQ"].astype(object).where(grp["AESEQ"].notna(), "—"),
                              grp["AEDECOD"].fillna("—"), grp["GRADE"].fillna(-1).astype(int).astype(str)
                              .replace("-1", "—"), [yes if s else no for s in grp["SERIOUS"]],
                              [yes if s else no for s in grp["RELATED"]]))
            fig.add_trace(scatter(len(grp), x=grp["DAY"], y=grp["USUBJID"], mode="markers", name=name,
                                  marker={"color": GRADE_COLOURS.get(g, "#999999"), "size": 10,
                                          "symbol": ["diamond" if s else "circle" for s in grp["SERIOUS"]],
                                          "line": {"color": ["black" if s else "white" for s in grp["SERIOUS"]],
                                                   "width": 1}},
                                  customdata=custom,
                                  hovertemplate=f"{t('subject', lang)}: %{{y}}<br>{t('aeseq', lang)}: "
                                                f"%{{customdata[0]}}<br>{t('term', lang)}: %{{customdata[1]}}<br>"
                                                f"{t('grade', lang)}: %{{customdata[2]}}<br>{t('serious', lang)}: "
                                                f"%{{customdata[3]}}<br>{t('related', lang)}: %{{customdata[4]}}<br>"
                                                f"{t('day', lang)}: %{{x:.0f}}<extra></extra>"))
        if ev["SERIOUS"].any():   # a legend entry explaining the diamond
            fig.add_trace(trace("scatter", x=[None], y=[None], mode="markers", name=t("serious_ae", lang),
                                     marker={"symbol": "diamond", "color": "white", "size": 10,
                                             "line": {"color": "black", "width": 1}}))
    died = subjects[subjects["DIED"].astype(bool) & subjects["DEATH_DAY"].notna()]
    if len(died):
        fig.add_trace(trace("scatter", x=died["DEATH_DAY"], y=died["USUBJID"], mode="markers", name=t("death", lang),
                                 marker={"symbol": "x-thin", "size": 14, "color": "black", "line": {"width": 3}},
                                 hovertemplate=f"{t('subject', lang)}: %{{y}}<br>{t('death', lang)}: %{{x:.0f}} "
                                               f"{t('days', lang)}<extra></extra>"))
    lc = subjects[subjects["LAST_DAY"].notna()]
    fig.add_trace(scatter(len(lc), x=lc["LAST_DAY"], y=lc["USUBJID"], mode="markers", name=t("last_contact", lang),
                          marker={"symbol": "line-ns", "size": 12, "line": {"width": 2, "color": "#333"}},
                          hovertemplate=f"{t('subject', lang)}: %{{y}}<br>{t('last_contact', lang)}: %{{x:.0f}} "
                                        f"{t('days', lang)}<extra></extra>"))
    if required:
        fig.add_vline(x=required, line={"dash": "dash", "color": "#d62728"},
                      annotation_text=t("required_fu", lang, d=required), annotation_position="top right")
    # meta: where a point's subject id is (the reviewer app opens the subject's profile on a click; widgets/links.py)
    fig.update_layout(barmode="overlay", meta={"wb_subject": "y"})
    fig.update_yaxes(title=t("subject", lang), categoryorder="array", categoryarray=order[::-1], automargin=True)
    fig.update_xaxes(title=t("km_x", lang), rangemode="tozero")
    return layout(fig, title, lang, height=min(4000, max(380, 160 + 18 * len(order))))
