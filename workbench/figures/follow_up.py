"""Follow-up distribution per arm against the required duration (G-3.1b)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ._common import WEBGL_THRESHOLD, apply_layout, arm_colours, data, draft, empty, pct_text, reason_text, trace
from .labels import t


def follow_up_data(follow_up) -> dict:
    """FollowUpResult, its review.json rows (a list) or a dict with ``arms`` -> a dict with ``arms``."""
    if hasattr(follow_up, "detail_dict"):
        return follow_up.detail_dict()
    if isinstance(follow_up, list):
        return {"arms": follow_up, "required_days": next((r.get("required_days") for r in follow_up), None)}
    return data(follow_up)


def follow_up_distribution(follow_up, lang: str = "zh") -> go.Figure:
    """Per arm: follow-up days of dosed subjects (box with points; min/median/max when only the summary is given),
    the required follow-up as a line, and the share meeting it."""
    d = follow_up_data(follow_up)
    required = d.get("required_days")
    title = t("fu_title", lang, d=required or "—")
    arms = [a for a in d.get("arms", []) if a.get("dosed")]
    if not arms:
        return empty(title, lang, reason_text(d, lang))
    subjects = getattr(follow_up, "subjects", None)
    colours = arm_colours([(a["arm"], bool(a.get("control"))) for a in d.get("arms", [])])
    fig = draft()
    labels = {a["arm"]: f"{a['arm']} (N={a['dosed']})" for a in arms}
    if isinstance(subjects, pd.DataFrame) and 0 < len(subjects) <= WEBGL_THRESHOLD:
        for a in arms:   # every subject shown as a point over its arm's box
            s = subjects[(subjects["ARM"] == a["arm"]) & subjects["DAYS"].notna()]
            fig.add_trace(trace("box", 
                x=s["DAYS"], y=[labels[a["arm"]]] * len(s), name=labels[a["arm"]], orientation="h",
                marker={"color": colours.get(a["arm"])}, boxpoints="all", jitter=0.4, pointpos=0, text=s["USUBJID"],
                hovertemplate=f"{t('subject', lang)}: %{{text}}<br>{t('fu_days', lang)}: %{{x:.0f}}<extra></extra>"))
    else:
        for a in arms:   # large studies (or only the summary): the box from the analysis' quartiles
            if a.get("median_days") is None:
                continue
            q1 = a.get("q1_days", a["median_days"])
            q3 = a.get("q3_days", a["median_days"])
            fig.add_trace(trace("box", 
                y=[labels[a["arm"]]], q1=[q1], median=[a["median_days"]], q3=[q3], lowerfence=[a["min_days"]],
                upperfence=[a["max_days"]], name=labels[a["arm"]], orientation="h",
                marker={"color": colours.get(a["arm"])},
                hovertemplate=f"{t('median', lang)}: {a['median_days']:.0f}<br>{t('range', lang)}: "
                              f"{a['min_days']:.0f}–{a['max_days']:.0f}<extra></extra>"))
    if required:
        fig.add_vline(x=required, line={"dash": "dash", "color": "#d62728"},
                      annotation_text=t("required_fu", lang, d=required), annotation_position="top left")
    for a in arms:
        fig.add_annotation(x=1.0, xref="paper", xanchor="left", y=labels[a["arm"]], showarrow=False,
                           text=f"{a['meeting_requirement']}/{a['dosed']} ({pct_text(a.get('meeting_pct'))})",
                           font={"size": 12})
    fig.update_xaxes(title=t("fu_days", lang), rangemode="tozero")
    fig.update_yaxes(title=t("arm", lang), categoryorder="array",
                     categoryarray=[labels[a["arm"]] for a in arms][::-1], automargin=True)
    fig.update_layout(margin={"r": 130}, showlegend=False)
    apply_layout(fig, title, lang, height=max(320, 140 + 60 * len(arms)))
    fig.update_layout(margin={"r": 130})
    fig.add_annotation(x=1.0, xref="paper", xanchor="left", y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                       text=t("meeting", lang), font={"size": 12})
    return fig.build()
