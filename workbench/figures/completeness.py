"""Completeness heatmap: key-information element × check status (check-catalogue.md elements)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..findings import ELEMENT_LABELS, Element
from ._common import draft, empty, layout, trace
from .labels import t

# status -> (code, colour); code orders the discrete colour scale
STATUS = {"not_applicable": (0, "#d9d9d9"), "pass": (1, "#31a354"), "fail_info": (2, "#9ecae1"),
          "fail_minor": (3, "#fed976"), "fail_major": (4, "#fd8d3c"), "fail_critical": (5, "#de2d26"),
          "error": (6, "#756bb1")}
STATUS_LABEL = {"not_applicable": "st_not_applicable", "pass": "st_pass", "fail_info": "st_info",
                "fail_minor": "st_fail_minor", "fail_major": "st_fail_major", "fail_critical": "st_fail_critical",
                "error": "st_error"}


def element_label(element: str, lang: str) -> str:
    try:
        zh, en = ELEMENT_LABELS[Element(element)]
    except ValueError:
        return element
    return zh if lang == "zh" else en


def _status_key(status: str, worst: str | None) -> str:
    if status == "fail":
        return f"fail_{worst}" if worst in ("critical", "major", "minor", "info") else "fail_major"
    return status if status in STATUS else "error"


def _checks_frame(checks) -> pd.DataFrame | None:
    """review.json ``checks`` (list of dicts), CheckResult objects, or a DataFrame -> element/check_id/status/worst."""
    if isinstance(checks, pd.DataFrame):
        df = checks.copy()
    elif isinstance(checks, list) and checks:
        rows = [c.to_dict() if hasattr(c, "to_dict") else c for c in checks]
        df = pd.DataFrame(rows)
    else:
        return None
    df.columns = [str(c).lower() for c in df.columns]
    if not {"element", "check_id", "status"} <= set(df.columns):
        return None
    if "worst_severity" not in df.columns:
        df["worst_severity"] = None
    if "n_findings" not in df.columns:
        df["n_findings"] = None
    return df


def completeness_heatmap(checks_or_scorecard, lang: str = "zh") -> go.Figure:
    """Element × check tiles coloured by status (from the per-check results), or, given a scorecard dict
    (element -> counts), element × count heatmap (checks run/passed/not applicable/errors, findings by severity)."""
    df = _checks_frame(checks_or_scorecard)
    if df is not None:
        return _tiles(df, lang)
    if isinstance(checks_or_scorecard, dict) and checks_or_scorecard:
        return _counts(checks_or_scorecard, lang)
    return empty(t("comp_title", lang), lang)


def _tiles(df: pd.DataFrame, lang: str) -> go.Figure:
    order = [e.value for e in Element]
    elements = sorted(df["element"].astype(str).unique(), key=lambda e: (order.index(e) if e in order else 99, e))
    width = int(df.groupby("element").size().max())
    z, text, hover = [], [], []
    for el in elements:
        g = df[df["element"] == el].sort_values("check_id")
        row_z, row_t, row_h = [], [], []
        for r in g.itertuples(index=False):
            key = _status_key(str(r.status), r.worst_severity if isinstance(r.worst_severity, str) else None)
            row_z.append(STATUS[key][0])
            row_t.append(str(r.check_id))
            nf = "" if r.n_findings is None or r.n_findings != r.n_findings else \
                f"<br>{t('findings', lang)}: {int(r.n_findings)}"
            row_h.append(f"{t('check', lang)}: {r.check_id}<br>{t('status', lang)}: {t(STATUS_LABEL[key], lang)}{nf}")
        pad = width - len(row_z)
        z.append(row_z + [None] * pad)
        text.append(row_t + [""] * pad)
        hover.append(row_h + [""] * pad)
    n = len(STATUS)
    scale = []
    for key, (code, colour) in STATUS.items():
        scale += [[code / n, colour], [(code + 1) / n, colour]]
    ylabels = [element_label(e, lang) for e in elements]
    fig = draft(trace("heatmap", z=z[::-1], x=list(range(1, width + 1)), y=ylabels[::-1], text=text[::-1],
                               texttemplate="%{text}", hovertext=hover[::-1], hoverinfo="text", zmin=0, zmax=n,
                               colorscale=scale, xgap=3, ygap=3, showscale=False))
    for key, (code, colour) in STATUS.items():   # legend of the discrete colours
        fig.add_trace(trace("scatter", x=[None], y=[None], mode="markers", name=t(STATUS_LABEL[key], lang),
                                 marker={"size": 12, "color": colour, "symbol": "square"}))
    fig.update_xaxes(title=t("check_no", lang), showgrid=False, dtick=1)
    fig.update_yaxes(title=t("element", lang), showgrid=False, automargin=True)
    return layout(fig, t("comp_title", lang), lang, height=max(360, 140 + 46 * len(elements)),
                  width=max(700, 200 + 70 * width))


COUNT_KEYS = ("checks_run", "passed", "not_applicable", "errors", "critical", "major", "minor", "info")


def _counts(card: dict, lang: str) -> go.Figure:
    order = [e.value for e in Element]
    elements = sorted(card, key=lambda e: (order.index(e) if e in order else 99, e))
    keys = [k for k in COUNT_KEYS if any(k in card[e] for e in elements)]
    z = [[card[e].get(k) for k in keys] for e in elements][::-1]
    fig = draft(trace("heatmap", 
        z=z, x=[t(k, lang) for k in keys], y=[element_label(e, lang) for e in elements][::-1],
        text=z, texttemplate="%{text}", colorscale="Blues", showscale=False, xgap=2, ygap=2,
        hovertemplate=f"{t('element', lang)}: %{{y}}<br>%{{x}}: %{{z}}<extra></extra>"))
    fig.update_xaxes(title=t("count", lang), side="top")
    fig.update_yaxes(title=t("element", lang), automargin=True)
    return layout(fig, t("comp_counts_title", lang), lang, height=max(360, 140 + 46 * len(elements)))
