"""Dose-response figures: DLT rate with isotonic estimate and MTD; efficacy (mean change, responders) by dose."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._common import arm_colours, arm_label, data, draft, empty, fmt_dose, layout, reason_text, trace
from .labels import t

LOG_SPAN = 10.0   # log dose axis when the largest dose exceeds the smallest positive dose by more than 10x


def _dose_axis(doses: list[float]) -> tuple[str, bool]:
    """('log'|'linear', numeric?) for a list of doses (None entries make the axis categorical)."""
    if not doses or any(d is None for d in doses):
        return "category", False
    pos = [d for d in doses if d > 0]
    if len(pos) == len(doses) and len(pos) >= 2 and max(pos) / min(pos) > LOG_SPAN:
        return "log", True
    return "linear", True


def dose_response(dlt, lang: str = "zh") -> go.Figure:
    """Observed DLT rate per dose level with exact 95% CI, BOIN isotonic estimate, target line and MTD marker."""
    d = data(dlt)
    target = d.get("target_rate") or 0.3
    title = t("dlt_title", lang, target=target)
    levels = [lv for lv in d.get("levels", []) if lv.get("n", 0) > 0 or lv.get("dose") is not None]
    if not levels:
        return empty(title, lang, reason_text(d, lang) or reason_text(d, lang, "mtd_reason"))
    axis, numeric = _dose_axis([lv.get("dose") for lv in levels])
    unit = next((lv.get("dose_unit") for lv in levels if lv.get("dose_unit")), None)
    x = [lv["dose"] if numeric else lv["arm"] for lv in levels]
    observed = [lv for lv in levels if lv.get("n", 0) > 0]
    xo = [lv["dose"] if numeric else lv["arm"] for lv in observed]
    hover = [f"{t('arm', lang)}: {lv['arm']}<br>{t('dose', lang)}: {fmt_dose(lv.get('dose'), lv.get('dose_unit'))}"
             f"<br>{t('n_dlt', lang)}/{t('n_evaluable', lang)}: {lv['n_dlt']}/{lv['n']}"
             f"<br>{t('dlt_rate', lang)}: {lv['rate']:.2f}"
             f"<br>{t('ci95', lang)}: {lv['ci_low']:.2f}–{lv['ci_high']:.2f}"
             + (f"<br>{t('isotonic', lang)}: {lv['isotonic']:.3f}" if lv.get("isotonic") is not None else "")
             for lv in observed]
    fig = draft()
    fig.add_trace(trace("scatter", 
        x=xo, y=[lv["rate"] for lv in observed], mode="markers+text", name=t("observed_rate", lang),
        marker={"size": 11, "color": "#1f77b4",
                "symbol": ["x" if lv.get("eliminated") else "circle" for lv in observed]},
        text=[f"{lv['n_dlt']}/{lv['n']}" for lv in observed], textposition="middle right",
        error_y={"type": "data", "symmetric": False,
                 "array": [lv["ci_high"] - lv["rate"] for lv in observed],
                 "arrayminus": [lv["rate"] - lv["ci_low"] for lv in observed], "thickness": 1.5, "width": 6},
        hovertext=hover, hoverinfo="text"))
    iso = [lv for lv in observed if lv.get("isotonic") is not None]
    if iso:
        fig.add_trace(trace("scatter", x=[lv["dose"] if numeric else lv["arm"] for lv in iso],
                                 y=[lv["isotonic"] for lv in iso], mode="lines+markers", name=t("isotonic", lang),
                                 line={"color": "#ff7f0e", "width": 2}, marker={"size": 6},
                                 hovertemplate=f"{t('isotonic', lang)}: %{{y:.3f}}<extra></extra>"))
    elim = [lv for lv in observed if lv.get("eliminated")]
    if elim:
        fig.add_trace(trace("scatter", x=[lv["dose"] if numeric else lv["arm"] for lv in elim],
                                 y=[lv["rate"] for lv in elim], mode="markers", name=t("eliminated", lang),
                                 marker={"size": 16, "color": "rgba(0,0,0,0)", "line": {"color": "#d62728", "width": 2},
                                         "symbol": "square"}, hoverinfo="skip"))
    fig.add_hline(y=target, line={"dash": "dash", "color": "#d62728"},
                  annotation_text=f"{t('target', lang)} {target:.2f}", annotation_position="top left")
    mtd = d.get("mtd")
    if mtd:
        lv = next((lv for lv in levels if lv["arm"] == mtd["arm"]), None)
        y = (lv or {}).get("isotonic") if (lv or {}).get("isotonic") is not None else (lv or {}).get("rate", target)
        fig.add_trace(trace("scatter", x=[mtd["dose"] if numeric else mtd["arm"]], y=[y], mode="markers+text",
                                 name=t("mtd", lang), text=[t("mtd", lang)], textposition="top center",
                                 marker={"symbol": "star", "size": 20, "color": "#2ca02c",
                                         "line": {"color": "black", "width": 1}},
                                 hovertemplate=f"{t('mtd', lang)}: {mtd['arm']} "
                                               f"({fmt_dose(mtd.get('dose'), mtd.get('dose_unit'))})<extra></extra>"))
    else:
        msg = t("all_too_toxic", lang) if d.get("all_doses_too_toxic") else (
            reason_text(d, lang, "mtd_reason") or t("no_mtd", lang))
        fig.add_annotation(text=msg, xref="paper", yref="paper", x=0, xanchor="left", y=1.01, yanchor="bottom",
                           showarrow=False, font={"color": "#d62728", "size": 12})
    xtitle = f"{t('dose', lang)}（{unit}）" if (unit and lang == "zh") else (
        f"{t('dose', lang)} ({unit})" if unit else t('arm', lang) if not numeric else t('dose', lang))
    xrange = None
    if numeric and x:
        lo, hi = min(x), max(x)
        if axis == "log":
            import math
            pad = (math.log10(hi) - math.log10(lo)) * 0.08
            xrange = [math.log10(lo) - pad, math.log10(hi) + pad]
        else:
            pad = (hi - lo) * 0.08 if hi > lo else abs(hi) * 0.5 or 1.0
            xrange = [lo - pad, hi + pad]
    fig.update_xaxes(title=xtitle, type=axis, range=xrange, exponentformat="power" if numeric else None,
                     tickvals=x if numeric else None,
                     ticktext=[fmt_dose(v, None) for v in x] if numeric else None)
    fig.update_yaxes(title=t("dlt_rate", lang), range=[-0.03, 1.05], tickformat=".0%")
    return layout(fig, title, lang, height=460)


def efficacy_by_dose(efficacy, lang: str = "zh") -> go.Figure:
    """Mean change from baseline with 95% t-interval per arm (dose order) and responder rate with exact CI."""
    d = data(efficacy)
    title = t("eff_title", lang, endpoint=d.get("endpoint") or "—", visit=d.get("visit") or "—")
    arms = [a for a in d.get("arms", []) if a.get("n", 0) > 0]
    if not arms:
        return empty(title, lang, reason_text(d, lang))
    resp = d.get("responders")
    cols = 2 if resp else 1
    sub_titles = [t("mean_change", lang)] + ([t("responder_rate", lang)] if resp else [])
    fig = make_subplots(rows=1, cols=cols, subplot_titles=sub_titles, horizontal_spacing=0.12)
    labels = [arm_label(a["arm"], a.get("dose"), a.get("dose_unit"), a.get("control"), lang) for a in arms]
    cmap = arm_colours([(a["arm"], bool(a.get("control"))) for a in d.get("arms", [])])
    colours = [cmap[a["arm"]] for a in arms]
    means = [a["mean"] for a in arms]
    up = [(a["ci_high"] - a["mean"]) if a.get("ci_high") is not None else 0 for a in arms]
    down = [(a["mean"] - a["ci_low"]) if a.get("ci_low") is not None else 0 for a in arms]
    hover = [f"{t('arm', lang)}: {a['arm']}<br>{t('n', lang)}: {a['n']}<br>{t('mean', lang)}: {a['mean']:.2f}"
             + (f"<br>{t('ci95', lang)}: {a['ci_low']:.2f} – {a['ci_high']:.2f}" if a.get("ci_low") is not None
                else "") for a in arms]
    fig.add_trace(trace("scatter", x=labels, y=means, mode="markers", name=t("mean_change", lang),
                             marker={"size": 12, "color": colours},
                             error_y={"type": "data", "symmetric": False, "array": up, "arrayminus": down},
                             hovertext=hover, hoverinfo="text"), row=1, col=1)
    fig.add_hline(y=0, line={"color": "#555", "width": 1}, row=1, col=1)
    better = d.get("better")
    ytitle = t("change", lang) + (f"（{t('better_' + better, lang)}）" if better and lang == "zh" else
                                  f" ({t('better_' + better, lang)})" if better else "")
    fig.update_yaxes(title=ytitle, row=1, col=1)
    if resp:
        ra = [r for r in resp.get("arms", []) if r.get("n", 0) > 0]
        rl = [arm_label(r["arm"], r.get("dose"), next((a.get("dose_unit") for a in arms if a["arm"] == r["arm"]), None),
                        r.get("control"), lang) for r in ra]
        fig.add_trace(trace("bar", x=rl, y=[r["rate"] for r in ra], name=t("responder_rate", lang),
                             marker={"color": [cmap.get(r["arm"], "#1f77b4") for r in ra]},
                             error_y={"type": "data", "symmetric": False,
                                      "array": [r["ci_high"] - r["rate"] for r in ra],
                                      "arrayminus": [r["rate"] - r["ci_low"] for r in ra]},
                             text=[f"{r['responders']}/{r['n']}" for r in ra], textposition="outside",
                             hovertemplate=f"{t('responders', lang)}: %{{text}}<br>%{{y:.0%}}<extra></extra>"),
                      row=1, col=2)
        fig.update_yaxes(title=t("responder_rate", lang), tickformat=".0%", range=[0, 1.1], row=1, col=2)
    fig.update_xaxes(title=t("arm", lang))
    comp = d.get("comparison")
    if comp and comp.get("ci_low") is not None:
        label = t("pooled", lang) if comp.get("label") == "POOLED" else comp.get("label")
        p = comp.get("p_value")
        key = "primary_welch" if comp.get("kind") == "welch" else "primary_one_sample"
        title += "<br><sup>" + t(key, lang, label=label, est=comp["estimate"], lo=comp["ci_low"], hi=comp["ci_high"],
                                 p="—" if p is None else f"{p:.3g}") + "</sup>"
    layout(fig, title, lang, height=490, showlegend=False)
    fig.update_layout(margin={"t": 110})
    return fig
