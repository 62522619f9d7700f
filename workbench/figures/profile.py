"""One subject's timeline: administrations (dose, lot), adverse events by grade and seriousness, visits,
out-of-range laboratory results, by study day (day 1 = first dose)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ._common import GRADE_COLOURS, draft, empty, layout
from .labels import t


def _seq(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _days(df: pd.DataFrame) -> pd.Series:
    return pd.to_numeric(df["DAY"], errors="coerce") if "DAY" in df.columns else pd.Series(dtype=float)


def profile_timeline(profile, lang: str = "zh") -> go.Figure:
    """Lanes: dosing, adverse events (a bar from onset to resolution, coloured by grade; serious outlined),
    laboratory results out of range, visits."""
    lanes = {"dose": t("lane_dosing", lang), "ae": t("lane_ae", lang), "lab": t("lane_lab", lang),
             "visit": t("lane_visits", lang)}
    fig = draft()
    any_point = False
    ex = profile.exposure
    if len(ex):
        d = _days(ex)
        text = [f"{t('day', lang)} {int(x) if x == x else '?'}: {r.get('EXTRT') or ''} {r.get('EXDOSE') or ''} "
                f"{r.get('EXDOSU') or ''} · {t('lot', lang).lower()} {r.get('EXLOT') or '—'}"
                for x, r in zip(d, ex.to_dict("records"))]
        fig.add_trace(go.Scatter(x=d, y=[lanes["dose"]] * len(d), mode="markers", name=lanes["dose"], text=text,
                                 hoverinfo="text", marker={"symbol": "triangle-up", "size": 14, "color": "#1f77b4"}))
        any_point = True
    ae = profile.adverse_events
    if len(ae) and "DAY" in ae.columns:
        for grade in sorted({g for g in ae.get("GRADE", pd.Series(dtype=float)).dropna()} | {None}, key=lambda g: -1
                            if g is None else g):
            sel = ae["GRADE"].isna() if grade is None else ae["GRADE"] == grade
            if not sel.any():
                continue
            sub = ae[sel]
            text = [f"AESEQ {_seq(r.get('AESEQ'))}: {r.get('AEDECOD') or r.get('AETERM')} · {t('grade', lang)} "
                    f"{int(grade) if grade is not None else '?'}"
                    + (f" · {t('serious', lang)}" if r.get("SERIOUS") else "")
                    + (f" · {t('related', lang)}" if r.get("RELATED") else "") for r in sub.to_dict("records")]
            fig.add_trace(go.Scatter(
                x=_days(sub), y=[lanes["ae"]] * len(sub), mode="markers", text=text, hoverinfo="text",
                name=f"{lanes['ae']} · {t('grade', lang)} {int(grade) if grade is not None else '?'}",
                marker={"size": 12, "color": GRADE_COLOURS.get(int(grade) if grade is not None else 0, "#999999"),
                        "line": {"width": [3 if s else 0 for s in sub.get("SERIOUS", [False] * len(sub))],
                                 "color": "#000000"}}))
        any_point = True
    lb = profile.labs_out_of_range
    if len(lb) and "DAY" in lb.columns:
        text = [f"{r.get('LBTESTCD')} {r.get('LBSTRESN') if r.get('LBSTRESN') == r.get('LBSTRESN') else r.get('LBORRES')}"
                f" {r.get('LBSTRESU') or ''} ({r.get('LBNRIND') or ''})" for r in lb.to_dict("records")]
        fig.add_trace(go.Scatter(x=_days(lb), y=[lanes["lab"]] * len(lb), mode="markers", name=lanes["lab"], text=text,
                                 hoverinfo="text", marker={"symbol": "diamond", "size": 9, "color": "#d62728"}))
        any_point = True
    sv = profile.visits
    if len(sv) and "DAY" in sv.columns:
        fig.add_trace(go.Scatter(x=_days(sv), y=[lanes["visit"]] * len(sv), mode="markers", name=lanes["visit"],
                                 text=[str(v) for v in sv.get("VISIT", [""] * len(sv))], hoverinfo="text",
                                 marker={"symbol": "line-ns-open", "size": 12, "color": "#7f7f7f"}))
        any_point = True
    title = t("subject_timeline", lang, subject=profile.usubjid)
    if not any_point:
        return empty(title, lang, t("no_subject_records", lang))
    fig.update_xaxes(title={"text": t("study_day", lang)}, zeroline=True)
    fig.update_yaxes(categoryorder="array", categoryarray=[lanes[k] for k in ("visit", "lab", "ae", "dose")])
    return layout(fig, title, lang, height=340)
